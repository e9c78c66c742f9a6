"""Every setting the product reads goes through the registry and both contracts show it."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

READ = re.compile(r"get_config\(\s*\"([A-Za-z0-9_.]+)\"")


def keys_read_by_the_code() -> set[str]:
    found = set()
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        if {".venv", "tests", "migrations", "var"} & set(path.parts):
            continue
        found |= set(READ.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_key_read_is_listed_by_both_contracts(api, platform_admin):
    read = keys_read_by_the_code()
    assert {"system.register.tenant_code", "dispatch.auto_dispatch.enabled", "max_file_size"} <= read
    v1 = api(platform_admin).get("/api/v1/admin/system/configs", {"size": 500}).json()["data"]["items"]
    desk = api(platform_admin).get("/api/admin/configs").json()["data"]
    v1_values = {item["config_key"]: item["config_value"] for item in v1}
    desk_values = {item["key"]: item["value"] for item in desk}
    assert read <= set(v1_values), read - set(v1_values)
    assert read <= set(desk_values), read - set(desk_values)
    assert {k: v1_values[k] for k in read} == {k: desk_values[k] for k in read}
    dispatch = {item["config_key"] for item in v1 if item["category"] == "dispatch"}
    assert {"dispatch.auto_dispatch.enabled", "dispatch.auto_dispatch.strategy"} <= dispatch
