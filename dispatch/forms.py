"""Forms of the dispatch pages (input shapes only; the services apply the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ManualDispatchForm(forms.Form):
    """The console's "dispatch to this engineer" (``POST dispatch/manual``). The page shows the
    notify box ticked, as the API's ``notify_engineer`` defaults to true; unticked, the engineer
    gets no assignment notification."""

    engineer_id = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    notify_engineer = forms.BooleanField(label=_("Notify the engineer"), required=False, initial=True)
