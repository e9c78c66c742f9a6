"""docs/ui.md is what other pages copy from: its snippets must render, and the reusable includes
(field, form fields, pagination) must produce the documented markup."""

import pytest
from django import forms
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory

from tests import ui_gallery


def render(source, context=None, request=None):
    return engines["django"].from_string(source).render(context or {}, request)


def test_docs_have_a_snippet_for_every_component():
    sections = {title for title, _html in ui_gallery.snippets()}
    expected = {
        "Page header", "Cards", "Description list", "Stat tiles", "Tables", "Forms", "Buttons", "Badges",
        "Alerts and messages", "Pagination", "Filter toolbar", "Tree list", "Empty state", "Tabs", "Timeline",
        "Modal dialog", "Toasts", "Icons", "Layout helpers",
    }  # fmt: skip
    assert expected <= sections


@pytest.mark.parametrize(("title", "html"), ui_gallery.snippets(), ids=lambda v: v if len(v) < 40 else None)
def test_every_html_snippet_renders(title, html):
    request = RequestFactory().get("/")
    out = render("{% load i18n portal_ui %}" + html, request=request)
    assert out.strip()
    assert "{%" not in out and "{{" not in out
    assert "<script" not in out and " onclick=" not in out  # CSP-friendly by construction


def test_every_documented_icon_exists_in_the_sprite():
    from django.conf import settings

    sprite = (settings.BASE_DIR / "static" / "img" / "icons.svg").read_text()
    icons_html = dict(ui_gallery.snippets())["Icons"]
    import re

    names = re.findall(r'{% icon "([\w-]+)" %}', icons_html)
    assert len(names) > 20
    for name in names:
        assert f'<symbol id="{name}"' in sprite, name


class _TicketForm(forms.Form):
    title = forms.CharField(label="Title", help_text="Short summary")
    notify = forms.BooleanField(label="Notify me", required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Not allowed now")


def test_form_fields_include_renders_errors_help_and_required_marker():
    form = _TicketForm(data={"title": ""})
    out = render('{% include "portal/_form_fields.html" with form=form %}', {"form": form})
    assert 'class="alert alert-error"' in out and "Not allowed now" in out
    assert 'class="field is-required has-error"' in out
    assert 'class="field-help" id="id_title_helptext"' in out
    assert 'aria-invalid="true"' in out
    assert '<label class="check" for="id_notify">' in out
    assert 'type="hidden" name="token"' in out


@pytest.mark.parametrize(
    ("page", "shown", "hidden"), [(1, ["1", "2", "3", "20"], ["10"]), (10, ["1", "9", "10", "11", "20"], ["5"])]
)
def test_pagination_include_elides_and_keeps_filters(page, shown, hidden):
    page_obj = Paginator(list(range(400)), 20).page(page)
    request = RequestFactory().get("/tickets/", {"status": "new", "page": page})
    out = render('{% include "portal/_pagination.html" %}', {"page_obj": page_obj, "request": request}, request)
    assert f'<span aria-current="page">{page}</span>' in out
    assert "…" in out
    for number in shown:
        assert f">{number}<" in out
    for number in hidden:
        assert f">{number}<" not in out
    assert "status=new" in out  # filters survive page changes


def test_pagination_include_is_silent_for_a_single_page():
    page_obj = Paginator([1, 2], 20).page(1)
    assert render('{% include "portal/_pagination.html" %}', {"page_obj": page_obj}).strip() == ""
