"""Pages of scheduled tasks, system status and the audit log; Django admin of the new models."""

import pytest
from django.db import connection
from django.urls import reverse

from portal.navigation import navigation_for
from portal.system.ops_models import TaskRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_admin(django_user_model):
    """The platform super admin, created like ``createsuperuser`` does (page sessions work)."""
    return django_user_model.objects.create_superuser(email="root@ops.local", password="x-Passw0rd!", username="root")


@pytest.fixture(autouse=True)
def _backups(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"


def nav(user):
    return {item.url_name for section in navigation_for(user) for item in section.items}


def test_pages_and_menu_for_the_root_admin_only(client, root_admin, tenant_a, make_user):
    admin_a = make_user(tenant_a, "admin")
    assert {"system:tasks", "system:status", "system:audit"} <= nav(root_admin)
    assert "system:tasks" not in nav(admin_a) and "system:audit" in nav(admin_a)
    assert not {"system:tasks", "system:status", "system:audit"} & nav(make_user(tenant_a, "agent"))
    client.force_login(admin_a)
    assert client.get(reverse("system:tasks")).status_code == 403
    assert client.get(reverse("system:status")).status_code == 403
    client.force_login(root_admin)
    assert "0 2 * * *" in client.get(reverse("system:tasks")).content.decode()
    page = client.get(reverse("system:status")).content.decode()
    assert "数据库" in page and "status-snapshot" in page


def test_status_and_tasks_pages_speak_the_readers_language(client, root_admin, settings):
    import re

    client.force_login(root_admin)
    # Chinese: health and run words, service and task names translated; moments formatted
    status = client.get(reverse("system:status")).content.decode()
    assert re.search(r"data-health>(正常|降级|故障)<", status)
    assert "调度器（celery beat）" in status and "任务执行器（celery）" in status
    assert not re.search(r">(healthy|degraded|unhealthy|not_configured)<", status)
    tasks = client.get(reverse("system:tasks")).content.decode()
    assert "系统：数据库备份" in tasks and "system: database backup" not in tasks
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", tasks)  # no raw ISO moment
    # English: the same pages in words, not codes
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    status = client.get(reverse("system:status")).content.decode()
    assert re.search(r"data-health>(Healthy|Degraded|Down)<", status) and "Scheduler (celery beat)" in status
    assert "system: database backup" in client.get(reverse("system:tasks")).content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rows", "eager_celery")
def test_run_now_and_bad_cron_from_the_page(client, root_admin):
    from django_celery_beat.models import PeriodicTask

    client.force_login(root_admin)
    task = PeriodicTask.objects.get(name="system: database backup")
    r = client.post(reverse("system:tasks"), {"action": "run", "task_id": task.pk})
    assert r.status_code == 302 and TaskRun.objects.get().status == "success"
    page = client.get(reverse("system:tasks")).content.decode()
    suffix = ".dump" if connection.vendor == "postgresql" else ".sqlite3"
    assert suffix in page  # the backup is listed for download
    before = PeriodicTask.objects.count()
    r = client.post(reverse("system:tasks"), {"action": "create", "task_name": "x", "task_type": "backup",
                                               "cron_expression": "99 * * * *"})  # fmt: skip
    assert r.status_code == 400 and PeriodicTask.objects.count() == before


def test_audit_page_filters_and_exports_own_tenant_only(client, tenant_a, tenant_b, make_user):
    from portal.audit.models import AuditLog

    admin_a = make_user(tenant_a, "admin")
    AuditLog.objects.create(tenant=tenant_a, username="alice", action="ticket.create", method="POST",
                            path="/api/v1/tickets", status_code=201)  # fmt: skip
    AuditLog.objects.create(tenant=tenant_b, username="bob-other", action="ticket.create", method="POST",
                            path="/api/v1/tickets", status_code=201)  # fmt: skip
    client.force_login(admin_a)
    page = client.get(reverse("system:audit"), {"keyword": "alice"}).content.decode()
    assert "alice" in page and "bob-other" not in page
    csv = b"".join(client.get(reverse("system:audit"), {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert "alice" in csv and "bob-other" not in csv and csv.startswith("time,user")
    assert client.get(reverse("system:audit"), {"start_time": "nope"}).status_code == 400
    client.force_login(make_user(tenant_a, "agent"))
    assert client.get(reverse("system:audit")).status_code == 403


def test_django_admin_lists_runs_and_alerts(client, root_admin):
    client.force_login(root_admin)
    assert client.get("/admin/system/taskrun/").status_code == 200
    assert client.get("/admin/system/monitoralert/").status_code == 200


def test_role_codes_read_as_role_names_on_the_audit_and_announcement_pages(client, tenant_a, make_user):
    from django.utils import translation

    from portal.audit.models import AuditLog
    from portal.system.views_announcements import role_choices

    admin_a = make_user(tenant_a, "admin")
    AuditLog.objects.create(tenant=tenant_a, username="alice", role="supervisor", action="ticket.create",
                            method="POST", path="/api/v1/tickets", status_code=201)  # fmt: skip
    client.force_login(admin_a)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        audit = client.get(reverse("system:audit"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        offered = dict(role_choices(admin_a))
    # the audit row names the role; announcements and maintenance offer built-in roles by name
    assert '<td class="nowrap">Supervisor</td>' in audit and ">supervisor</td>" not in audit
    assert offered["user"] == "Requester" and offered["admin"] == "Tenant administrator"
