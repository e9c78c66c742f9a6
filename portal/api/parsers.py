"""Request body parsers of both contracts (``DEFAULT_PARSER_CLASSES``).

Hostile bodies are refused here, once, with a 400 in the contract's envelope, before any view
or service sees them: JSON nested deeper than ``MAX_JSON_DEPTH`` (the C decoder recursed into
a ``RecursionError``), integers outside signed 64 bits, NUL characters in keys or strings
(PostgreSQL refuses them in text and jsonb), and malformed multipart bodies.
"""

from __future__ import annotations

import codecs
import json

from django.conf import settings
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from portal.inputs import BIGINT_MAX, BIGINT_MIN, has_nul, json_depth_exceeds


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise ValueError("integer out of range")
    value = int(text)
    if not BIGINT_MIN <= value <= BIGINT_MAX:
        raise ValueError("integer out of range")
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def loads_bounded(text: str):
    """``json.loads`` with the bounds above; raises ``ValueError`` with a reason."""
    try:
        value = json.loads(text, parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError(_("The JSON body is nested too deeply.")) from None
    if json_depth_exceeds(value):
        raise ValueError(_("The JSON body is nested too deeply."))
    if has_nul(value):
        raise ValueError(_("The JSON body contains a NUL character."))
    return value


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, ValueError) as exc:
            raise ParseError(_("The JSON body is not valid UTF-8.")) from exc
        try:
            return loads_bounded(text)
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except (MultiPartParserError, ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("Multipart form parse error - %(error)s") % {"error": exc}) from exc
