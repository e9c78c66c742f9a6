from portal.tenancy import principal_tenant


class TenantMiddleware:
    """``request.tenant`` for page views: the signed-in user's tenant, never a request parameter.

    API views authenticate later (JWT) and set ``request.tenant`` in their base class."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = principal_tenant(request.user)
        return self.get_response(request)
