from rest_framework.routers import SimpleRouter


class ContractRouter(SimpleRouter):
    """The contracts write paths without a trailing slash (``/api/v1/tickets``); accept both."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"
