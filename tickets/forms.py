"""Forms of the ticket pages. They validate input; the views hand the cleaned data to the
same services the APIs use."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from mptt.forms import TreeNodeChoiceField

from accounts.fields import TenantRowsField, TenantRowsForm
from tickets import selectors
from tickets.choices import TicketPriority, TicketSource, TicketStatus, TicketType


class CategoryPicker(TenantRowsField, TreeNodeChoiceField):
    """The caller's tenant's category tree (``rows``) as an indented select."""

    def __init__(self, *, rows=selectors.categories_for, **kwargs):
        kwargs.setdefault("level_indicator", "—")
        super().__init__(rows=rows, **kwargs)


class AssigneePicker(TenantRowsField):
    """Who may be given the caller's tenant's tickets: exactly whom the assignment service
    accepts (``selectors.assignees_for``)."""

    def __init__(self, **kwargs):
        super().__init__(rows=selectors.assignees_for, **kwargs)


class TicketForm(TenantRowsForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices, initial=TicketType.INCIDENT)
    priority = forms.ChoiceField(label=_("Priority"), choices=TicketPriority.choices, initial=TicketPriority.NORMAL)
    category = CategoryPicker(
        rows=selectors.category_choices_for, label=_("Category"), required=False, empty_label=_("Not sure / other")
    )
    customer_name = forms.CharField(label=_("Contact name"), max_length=128, required=False)
    customer_email = forms.EmailField(label=_("Contact email"), required=False)
    customer_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate tags with commas."))
    due_date = forms.DateTimeField(
        label=_("Due date"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean_tags(self):
        return [t.strip() for t in self.cleaned_data["tags"].replace("，", ",").split(",") if t.strip()]


class CommentForm(forms.Form):
    content = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 3}))
    is_internal = forms.BooleanField(label=_("Internal note (staff only)"), required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=500, required=False)


class AssignForm(TenantRowsForm):
    assignee = AssigneePicker(label=_("Assignee"))


RATING_LABELS = {
    1: _("Very dissatisfied"),
    2: _("Dissatisfied"),
    3: _("Neutral"),
    4: _("Satisfied"),
    5: _("Very satisfied"),
}


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), coerce=int, choices=[(i, RATING_LABELS[i]) for i in range(5, 0, -1)]
    )
    rating_comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class EscalateForm(TenantRowsForm):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    escalate_to = AssigneePicker(
        label=_("Hand over to"),
        required=False,
        help_text=_("Optional: who takes the escalated ticket over."),
    )


class BulkForm(TenantRowsForm):
    OPERATIONS = [("assign", _("Assign to")), ("status", _("Change status to"))]
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    operation = forms.ChoiceField(choices=OPERATIONS)
    assignee = AssigneePicker(label=_("Assignee"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *TicketStatus.choices], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(v, v) for v in raw]

    def clean(self):
        data = super().clean()
        if data.get("operation") == "assign" and not data.get("assignee"):
            self.add_error("assignee", _("Choose an assignee."))
        if data.get("operation") == "status" and not data.get("status"):
            self.add_error("status", _("Choose a status."))
        return data


class CategoryForm(TenantRowsForm):
    name = forms.CharField(label=_("Name"), max_length=128)
    code = forms.SlugField(label=_("Code"), max_length=64, required=False, allow_unicode=True)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    parent = CategoryPicker(label=_("Parent"), required=False, empty_label=_("None (top level)"))
    color = forms.RegexField(
        label=_("Color"),
        regex=r"^#[0-9a-fA-F]{3,8}$",
        initial="#3b82f6",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    icon = forms.CharField(label=_("Icon"), max_length=64, required=False)
    sla_hours = forms.IntegerField(label=_("SLA hours"), min_value=1, required=False)
    auto_assign_user = AssigneePicker(
        label=_("Auto-assign to"),
        required=False,
        empty_label=_("Nobody (dispatch decides)"),
    )
    sort_order = forms.IntegerField(label=_("Sort order"), initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


SOURCE_DEFAULT = TicketSource.WEB
