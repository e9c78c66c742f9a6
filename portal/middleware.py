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
