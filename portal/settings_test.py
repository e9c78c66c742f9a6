"""Settings for the test suite: production settings with test-only relaxations."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("EMBEDDED_BEAT", "false")


def _redis_url_for_worker(url: str, worker: str) -> str:
    """Each pytest-xdist worker gets its own Redis database next to the one REDIS_URL names, as
    it gets its own PostgreSQL database: both workers number their rows from 1, so shared cache
    keys and channel groups would mix their tenants' events and throttle counters."""
    base, _, db = url.rpartition("/")
    index = int(worker.removeprefix("gw") or 0)
    return f"{base}/{(int(db or 0) + index) % 16}"


if (
    os.environ.get("REDIS_URL")
    and os.environ.get("PYTEST_XDIST_WORKER")
    and "OPSPORTAL_TEST_REDIS_MOVED" not in os.environ
):
    # os.environ, not a setting: servers and workers that tests start inherit it (once moved:
    # a spawned server reads these settings again with the worker's environment).
    os.environ["REDIS_URL"] = _redis_url_for_worker(os.environ["REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"])
    os.environ["OPSPORTAL_TEST_REDIS_MOVED"] = "1"

from portal.settings import *  # noqa: E402, F403
from portal.settings import DATABASES  # noqa: E402

# Password hashing at 1M PBKDF2 iterations costs ~250 ms a check; tests do thousands.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# ManifestStaticFilesStorage 404s on hashed names under live_server.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in-memory
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
