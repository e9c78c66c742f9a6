from engineers.api import v1
from portal.api.routers import ContractRouter

v1_router = ContractRouter()
v1_router.register("engineers", v1.V1EngineerViewSet, basename="v1-engineer")
v1_router.register("skills", v1.V1SkillViewSet, basename="v1-skill")

v1_urlpatterns = v1_router.urls
