from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def project_apps() -> list[AppConfig]:
    """The installed apps that are part of this project (not Django's or a library's), in the
    order of ``INSTALLED_APPS``. The core discovers what they contribute by module name
    (``<app>.urls``, ``<app>.api.urls``, ``<app>.demo``) instead of listing them."""
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and "site-packages" not in path.parts:
            found.append(config)
    return found


# Libraries whose admin section name has no Chinese translation of its own: named here so the
# Django admin does not mix "Celery Results" or "Otp_Totp" into the Chinese interface.
LIBRARY_SECTION_NAMES = {
    "django_celery_results": _("Task results"),
    "otp_totp": _("Two-factor devices"),
    "otp_static": _("Two-factor static codes"),
}


def name_library_admin_sections() -> None:
    for label, name in LIBRARY_SECTION_NAMES.items():
        if label in apps.app_configs:
            apps.get_app_config(label).verbose_name = name


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from portal import (
            checks,  # noqa: F401 - registers system checks
            forking,
        )

        forking.install()

        name_library_admin_sections()
