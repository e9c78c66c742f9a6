"""Forms of the engineers pages (input shapes only; the services apply the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from engineers.choices import Availability, OnlineStatus


class StatusForm(forms.Form):
    online_status = forms.ChoiceField(label=_("Online status"), choices=OnlineStatus.choices)
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
    status_message = forms.CharField(label=_("Status message"), max_length=200, required=False)
