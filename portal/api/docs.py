"""Swagger UI for both contracts on one page (``/api/docs/``), served from the sidecar."""

from django.urls import reverse
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.views import SpectacularSwaggerView

from portal.api.schema_contract import DESK, INFO, V1


class ContractSwaggerView(SpectacularSwaggerView):
    """Swagger UI with a selector for the two schemas (Swagger's ``urls`` + standalone layout)."""

    title = "OpsPortal API"
    schema = None  # the documentation page is not an API operation
    url_name = "schema-v1"
    template_name_js = "api/swagger_ui.js"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        settings = dict(spectacular_settings.SWAGGER_UI_SETTINGS)
        settings["urls"] = [
            {"url": reverse("schema-v1"), "name": INFO[V1]["title"]},
            {"url": reverse("schema-desk"), "name": INFO[DESK]["title"]},
        ]
        settings["urls.primaryName"] = INFO[V1]["title"]
        response.data["settings"] = self._dump(settings)
        return response
