from portal.api.routers import ContractRouter
from tenants.api import v1

router = ContractRouter()
router.register("admin/tenants", v1.TenantViewSet, basename="v1-tenant")

v1_urlpatterns = router.urls
