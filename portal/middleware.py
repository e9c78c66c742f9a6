from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from portal.logging import new_request_id, set_request_id


class RequestIDMiddleware:
    """Gives every request an id: ``request.id``, the ``X-Request-ID`` response header, log lines
    and the v1 envelope's ``trace_id`` all carry the same value.

    The context variable is not reset on the way out: Django logs 4xx/5xx responses after the
    middleware returns, and those lines should carry the id too. Every request sets it anew."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(self.get_response):
            markcoroutinefunction(self)

    def _start(self, request) -> None:
        request.id = new_request_id(request.headers.get("X-Request-ID"))
        set_request_id(request.id)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        self._start(request)
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response

    async def __acall__(self, request):
        self._start(request)
        response = await self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


#: Strict policy of the portal pages: scripts, styles, fonts and frames only from this origin,
#: images also as data: URIs (captcha, QR codes), sockets to this host. No inline script, event
#: handler or style element is allowed: the templates have none (tests/hardening/test_security.py).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Style *attributes* carry data-driven CSS variables (bar widths: ``style="--w: 40%"``);
        # style elements and every script stay same-origin only.
        "style-src-elem 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
#: Pages rendered by third-party templates with inline scripts (Swagger UI, Django admin) keep
#: the browser defaults; everything else that is HTML gets the policy.
CSP_EXEMPT_PREFIXES = ("/api/docs", "/admin/")


def content_security_policy(get_response):
    def middleware(request):
        response = get_response(request)
        html = response.get("Content-Type", "").startswith("text/html")
        if html and not request.path.startswith(CSP_EXEMPT_PREFIXES) and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    return middleware
