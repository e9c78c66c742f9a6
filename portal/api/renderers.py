"""One renderer per contract: the only place where success envelopes are built."""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer

from portal.logging import get_request_id
from portal.timestamps import iso_utc


def _default_message(response, request) -> str:
    if response is not None and response.status_code == 201:
        return _("Created successfully.")
    return _("Success.")


class V1Renderer(JSONRenderer):
    """``{"code", "message", "data", "timestamp", "trace_id"}``; errors arrive already shaped
    by the v1 exception handler and only get the timestamp and trace id."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        request = renderer_context.get("request")
        if response is not None and getattr(response, "exception", False):
            body = dict(data or {})
        else:
            message = getattr(response, "message", None) or _default_message(response, request)
            body = {"code": 200, "message": str(message), "data": data}
        body["timestamp"] = iso_utc(timezone.now())
        body["trace_id"] = getattr(request, "id", None) or get_request_id()
        return super().render(body, accepted_media_type, renderer_context)


class DeskRenderer(JSONRenderer):
    """``{"success": true, "data", "message"}``, lists with top-level ``pagination``; views that
    set ``desk_envelope = "code_msg"`` get ``{"code": 0, "msg", "data"}`` as documented."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        request = renderer_context.get("request")
        view = renderer_context.get("view")
        if response is None or getattr(response, "exception", False):
            return super().render(data, accepted_media_type, renderer_context)
        message = getattr(response, "message", None) or _default_message(response, request)
        if getattr(view, "desk_envelope", "") == "code_msg":
            body = {"code": 0, "msg": str(message), "data": data}
        else:
            body = {"success": True, "data": data, "message": str(message)}
            pagination = getattr(response, "pagination", None)
            if pagination is not None:
                body["pagination"] = pagination
            for key, value in (getattr(response, "extra", None) or {}).items():
                body.setdefault(key, value)
        return super().render(body, accepted_media_type, renderer_context)
