"""``/healthz`` (the process serves) and ``/readyz`` (its database and Redis answer)."""

from unittest import mock

import pytest
from django.db import OperationalError

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz_answers_without_database(client):
    # No django_db mark: any database access here would fail the test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_200_when_the_database_answers(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    # Redis is checked only where configured (production); embedded mode has none.
    assert body["checks"]["redis"] == ("ok" if settings.REDIS_URL else "not configured")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_503_naming_redis_when_redis_does_not_answer(client, settings):
    # Given a configured Redis that does not answer
    settings.REDIS_URL = UNREACHABLE_REDIS
    # When the orchestrator probes readiness
    response = client.get("/readyz")
    # Then the instance is not ready, and the body says Redis is why (the database is fine)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] not in {"ok", "not configured"}


@pytest.mark.django_db
def test_readyz_is_503_naming_the_database_when_it_fails(client, settings):
    # Given a database that refuses connections
    settings.REDIS_URL = ""
    with mock.patch("portal.health.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/readyz")
    # Then the instance is not ready, and the body names the database (not the error text)
    assert response.status_code == 503
    body = response.json()
    assert body == {"status": "unavailable", "checks": {"database": "OperationalError", "redis": "not configured"}}


@pytest.mark.django_db
def test_readyz_names_both_when_both_fail(client, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS
    with mock.patch("portal.health.connection.cursor", side_effect=OperationalError("down")):
        body = client.get("/readyz").json()
    assert body["checks"]["database"] == "OperationalError"
    assert body["checks"]["redis"] not in {"ok", "not configured"}


def test_probes_are_not_redirected_to_https(client, settings):
    # Load balancers probe over plain HTTP even where the site itself redirects to HTTPS.
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_probes_only_answer_get(client):
    assert client.post("/healthz").status_code == 405
