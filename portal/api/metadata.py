"""``OPTIONS`` on any API operation: 200 with the view's name, description and media types
in the contract's envelope (``Allow`` lists the methods).

DRF's default metadata also describes the write serializer of each method, which asserts on
views that choose their serializers per action (a 500 on 22 operations); the OpenAPI schemas
already describe the bodies, so OPTIONS does not repeat them."""

from __future__ import annotations

from rest_framework.metadata import BaseMetadata


class ContractMetadata(BaseMetadata):
    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
