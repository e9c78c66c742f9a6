from rest_framework.response import Response


class ApiResponse(Response):
    """A DRF response that carries the envelope's ``message`` (and, for lists, pagination)
    to the contract renderer. Views return plain data in it; they never build envelopes."""

    def __init__(self, data=None, *, message=None, status=None, pagination=None, headers=None, extra=None):
        super().__init__(data=data, status=status, headers=headers)
        self.message = message
        self.pagination = pagination
        #: desk only: keys documented beside ``data`` (e.g. ``"total"`` of my-tickets, history)
        self.extra = extra
