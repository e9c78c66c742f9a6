"""Identity inputs declared once, for the pages' forms and the APIs' serializers alike.

- The shapes of tenant, role, department and user codes and names (``*_PATTERN``, ``*_MAX``):
  a form's ``RegexField(regex=…)`` and a serializer's ``RegexField(…)`` name the same constant.
- Choices among the caller's tenant's rows: a form field declares which selector gives its rows
  (``TenantRowsField(rows=selectors.department_choices_for)``) and ``TenantRowsForm`` fills it
  from the user the page passes (``Form(..., user=request.user)``), so no form filters
  ``tenant=`` by hand. An API names such a row by id in its body; ``named`` / ``named_all``
  look it up among the same selector's rows, so another tenant's id is simply unknown, with
  one error text per field.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext as _

from portal.errors import DomainError, ErrorCode

USERNAME_PATTERN = r"^[\w.@+-]{2,64}$"
TENANT_CODE_PATTERN = r"^[a-z0-9][a-z0-9_-]{1,63}$"
ROLE_CODE_PATTERN = r"^[a-z][a-z0-9_]{1,63}$"
DEPARTMENT_CODE_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
TENANT_NAME_MAX = 128
ROLE_NAME_MAX = 64
ROLE_DESCRIPTION_MAX = 255
DEPARTMENT_NAME_MAX = 128


class TenantRowsField(forms.ModelChoiceField):
    """One row among ``rows(user)`` — a scoped selector of ``accounts.selectors``."""

    def __init__(self, *, rows: Callable, **kwargs):
        super().__init__(queryset=None, **kwargs)
        self.rows = rows


class TenantRowsMultipleField(forms.ModelMultipleChoiceField):
    """Any rows among ``rows(user)``."""

    def __init__(self, *, rows: Callable, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(queryset=None, **kwargs)
        self.rows = rows


class TenantRowsForm(forms.Form):
    """A form whose pickers offer the rows of ``user``'s tenant (nothing for a platform
    principal): built as ``Form(data, user=request.user)``."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, TenantRowsField | TenantRowsMultipleField):
                field.queryset = field.rows(user)


def named(rows, pk, *, field: str, message: str | None = None):
    """The row named by id ``pk`` in a request body, looked up among ``rows`` — the caller's
    scoped selector — so another tenant's id reads as unknown (the contract's 400 on
    ``field``). ``None`` when no id was given."""
    if pk in (None, ""):
        return None
    row = rows.filter(pk=pk).first()
    if row is None:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, message or _("Unknown %(field)s.") % {"field": field}, field=field
        )
    return row


def named_all(rows, ids, *, field: str, message: str):
    """Every row named in ``ids`` among ``rows``, or the contract's 400 on ``field`` if any is
    unknown. ``None`` when the body left the list out."""
    if ids is None:
        return None
    found = list(rows.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise DomainError(ErrorCode.VALIDATION_FAILED, message, field=field)
    return found
