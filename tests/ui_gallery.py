"""The ```html snippets of docs/ui.md, rendered inside the portal shell (a component gallery).

Used by tests/portal/test_ui_docs.py (every snippet compiles and renders) and by the browser
test, which screenshots the gallery so the documented components are looked at."""

from __future__ import annotations

import re
from pathlib import Path

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from portal import urls as portal_urls

DOC = Path(__file__).resolve().parent.parent / "docs" / "ui.md"


def snippets() -> list[tuple[str, str]]:
    """(section title, html) for every ```html block, in document order."""
    out, section = [], ""
    for block in re.split(r"(?m)^(## .*)$", DOC.read_text(encoding="utf-8")):
        if block.startswith("## "):
            section = block[3:].strip()
            continue
        out.extend((section, code) for code in re.findall(r"```html\n(.*?)```", block, re.S))
    return out


def gallery_source() -> str:
    parts = [f'<section class="stack mb-4"><h2>{title}</h2>{html}</section>' for title, html in snippets()]
    return (
        '{% extends "base.html" %}{% load i18n portal_ui %}'
        "{% block title %}UI gallery · {{ site_name }}{% endblock %}"
        '{% block page_header %}<div class="page-header"><h1>UI gallery</h1></div>{% endblock %}'
        "{% block content %}" + "".join(parts) + "{% endblock %}"
    )


def gallery(request):
    template = engines["django"].from_string(gallery_source())
    return HttpResponse(template.render({}, request))


# Usable as a URLconf (``@pytest.mark.urls("tests.ui_gallery")``): the real URLs plus /_gallery/ and /_500/
# (the server-error page as the handler renders it).
def _server_error(request):
    from portal.views import server_error

    return server_error(request)


urlpatterns = [
    path("_gallery/", gallery, name="ui-gallery"),
    path("_500/", _server_error),
    *portal_urls.urlpatterns,
]
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
