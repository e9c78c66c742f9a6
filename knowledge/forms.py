"""Forms of the knowledge pages (validation only; the services apply the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.fields import TenantRowsField, TenantRowsForm
from knowledge import selectors
from knowledge.choices import ChangeType, DifficultyLevel, ReviewAction, Visibility


class CommaListField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value) or ""
        items = [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]
        if len(items) > 20:
            raise forms.ValidationError(_("At most 20 entries."))
        if any(len(v) > 64 for v in items):
            raise forms.ValidationError(_("Each entry may have at most 64 characters."))
        return items

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value


class CategoryPicker(TenantRowsField):
    """The caller's tenant's knowledge categories, indented by depth."""

    def __init__(self, **kwargs):
        super().__init__(rows=selectors.categories_for, **kwargs)

    def label_from_instance(self, obj):
        return "— " * obj.level + obj.name


class DocumentForm(TenantRowsForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = CategoryPicker(label=_("Category"), required=False)
    summary = forms.CharField(
        label=_("Summary"), max_length=500, required=False, help_text=_("Leave empty to use the first lines.")
    )
    tags = CommaListField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    keywords = CommaListField(label=_("Keywords"), required=False)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices, initial=Visibility.PUBLIC)
    difficulty_level = forms.ChoiceField(label=_("Difficulty"), choices=DifficultyLevel.choices)
    content = forms.CharField(
        label=_("Content (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 18, "class": "kb-editor-input mono"}),
        max_length=200_000,
        strip=False,
    )
    change_type = forms.ChoiceField(label=_("Change type"), choices=ChangeType.choices, initial=ChangeType.MINOR)
    change_summary = forms.CharField(label=_("Change summary"), max_length=500, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["change_type"]
            del self.fields["change_summary"]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        category = data.pop("category", None)
        data["category_id"] = category.pk if category else None
        return data


class CategoryForm(TenantRowsForm):
    name = forms.CharField(label=_("Name"), max_length=128)
    parent = CategoryPicker(label=_("Parent"), required=False)
    sort_order = forms.IntegerField(label=_("Sort order"), required=False, min_value=-1000, max_value=100000)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), coerce=int, choices=[(i, "★" * i) for i in range(5, 0, -1)], initial=5
    )
    comment = forms.CharField(label=_("Comment"), max_length=1000, required=False)
    helpful = forms.BooleanField(label=_("This solved my problem"), required=False)


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[(ReviewAction.APPROVE, _("Approve")), (ReviewAction.REJECT, _("Reject"))])
    comment = forms.CharField(
        label=_("Comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    suggestions = forms.CharField(
        label=_("Suggestions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
        max_length=5000,
    )

    def clean_suggestions(self):
        return [line.strip() for line in self.cleaned_data["suggestions"].splitlines() if line.strip()][:50]
