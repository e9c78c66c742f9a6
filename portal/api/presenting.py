"""Pairs a presenter (a function that builds a response body) with the response serializer
that documents it, so the OpenAPI schema shows the real fields and cannot drift from them:

    @presents(S.DeskTicketOut)
    def desk_ticket(ticket) -> dict: ...

    @documented(inputs, actions, outputs={"list": P.desk_ticket})   # tickets.api.common

The serializer only documents (and lets tests validate real bodies against the schema); the
presenter stays a plain function over loaded rows, so presenting never queries per row.
"""

from __future__ import annotations

from collections.abc import Callable


def presents(serializer_class) -> Callable:
    def mark(presenter: Callable) -> Callable:
        presenter.response_serializer = serializer_class
        return presenter

    return mark


def response_serializer(presenter_or_serializer):
    """The serializer class documenting a presenter (or the serializer itself)."""
    return getattr(presenter_or_serializer, "response_serializer", presenter_or_serializer)
