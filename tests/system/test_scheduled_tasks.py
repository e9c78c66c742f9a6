"""Scheduled tasks: permission matrix, cron validation, run-now recorded in the history."""

import pytest
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from portal.system.ops_models import TaskRun

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/admin/system/scheduled-tasks"
NEW = {"task_name": "周日清理", "task_type": "cleanup", "cron_expression": "0 3 * * 0",
       "description": "每周日凌晨3点清理过期日志", "config": {"retention_days": 90}, "is_enabled": True}  # fmt: skip


@pytest.fixture
def root_admin(django_user_model):
    """The platform super admin, created like ``createsuperuser`` does (page sessions work)."""
    return django_user_model.objects.create_superuser(email="root@ops.local", password="x-Passw0rd!", username="root")


@pytest.fixture(autouse=True)
def _backups(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"


def snapshot():
    return PeriodicTask.objects.count(), CrontabSchedule.objects.count(), TaskRun.objects.count()


def shipped(name):
    return PeriodicTask.objects.get(name=name)


class TestPermissionMatrix:
    def test_only_the_root_admin_reads_creates_and_runs(self, api, root_admin, tenant_a, make_user):
        before = snapshot()
        backup_id = shipped("system: database backup").pk
        assert api().get(TASKS).status_code == 401
        admin_a, agent_a = make_user(tenant_a, "admin"), make_user(tenant_a, "agent")
        assert api(agent_a).get(TASKS).status_code == 403
        assert api(admin_a).get(TASKS).status_code == 200  # read-only, as the catalogue grants
        for user in (admin_a, agent_a):
            assert api(user).post(TASKS, NEW, format="json").status_code == 403
            r = api(user).post(f"{TASKS}/{backup_id}/execute")
            assert r.status_code == 403 and r.json()["code"] == 403
        assert snapshot() == before
        listed = api(root_admin).get(TASKS)
        assert listed.status_code == 200
        names = {t["task_name"]: t for t in listed.json()["data"]}
        backup = names["system: database backup"]
        assert backup["task_type"] == "backup" and backup["cron_expression"] == "0 2 * * *"
        assert backup["status"] == "running" and backup["next_run_time"].endswith("Z")
        assert backup["run_count"] == 0 and backup["last_run_status"] is None

    def test_unknown_task_is_404(self, api, root_admin):
        assert api(root_admin).post(f"{TASKS}/999999/execute").status_code == 404


class TestCreate:
    def test_valid_cron_creates_a_beat_entry(self, api, root_admin):
        r = api(root_admin).post(TASKS, NEW, format="json")
        assert r.status_code == 201, r.content
        body = r.json()["data"]
        assert body["cron_expression"] == "0 3 * * 0" and body["task_type"] == "cleanup"
        assert body["config"] == {"retention_days": 90}
        task = PeriodicTask.objects.get(pk=body["task_id"])
        assert task.task == "system.log_cleanup" and task.crontab.day_of_week == "0"

    @pytest.mark.parametrize(
        "cron", ["61 * * * *", "* * * *", "0 0 32 * *", "0 25 * * *", "a b c d e", "", "0 2 * * * *"]
    )
    def test_bad_cron_is_refused_and_changes_nothing(self, api, root_admin, cron):
        before = snapshot()
        r = api(root_admin).post(TASKS, {**NEW, "cron_expression": cron}, format="json")
        assert r.status_code == 400, r.content
        assert r.json()["code"] == 400
        assert snapshot() == before

    def test_unknown_type_and_bad_config_are_refused(self, api, root_admin):
        before = snapshot()
        assert api(root_admin).post(TASKS, {**NEW, "task_type": "rm -rf"}, format="json").status_code == 400
        bad = {**NEW, "config": {"retention_days": "forever"}}
        assert api(root_admin).post(TASKS, bad, format="json").status_code == 400
        assert api(root_admin).post(TASKS, {**NEW, "config": {"x": 1}}, format="json").status_code == 400
        assert snapshot() == before


# A real backup reads the database through SQLite's backup API, which cannot copy a database
# its own connection holds a write transaction on: these tests commit, like production does.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rows", "eager_celery")
class TestRunNow:
    def test_run_now_records_history_and_statistics(self, api, root_admin, settings):
        task = shipped("system: database backup")
        r = api(root_admin).post(f"{TASKS}/{task.pk}/execute")
        assert r.status_code == 200, r.content
        data = r.json()["data"]
        assert data["status"] == "success" and data["run"]["trigger"] == "manual"
        assert data["run"]["duration"] is not None and "opsportal-" in data["run"]["result"]
        run = TaskRun.objects.get()
        assert run.periodic_task == task and run.triggered_by == root_admin and run.finished_at
        listed = {t["task_id"]: t for t in api(root_admin).get(TASKS).json()["data"]}[task.pk]
        assert (listed["run_count"], listed["success_count"], listed["failure_count"]) == (1, 1, 0)
        assert listed["last_run_status"] == "success" and listed["last_run_time"]

    def test_a_failing_run_is_recorded_as_failure(self, api, root_admin, monkeypatch):
        from portal.system import backup

        def broken():
            raise RuntimeError("disk full")

        monkeypatch.setattr(backup, "create_backup", broken)
        task = shipped("system: database backup")
        r = api(root_admin).post(f"{TASKS}/{task.pk}/execute")
        assert r.status_code == 200 and r.json()["data"]["status"] == "failure"
        run = TaskRun.objects.get()
        assert run.status == "failure" and "disk full" in run.error
        listed = {t["task_id"]: t for t in api(root_admin).get(TASKS).json()["data"]}[task.pk]
        assert (listed["run_count"], listed["failure_count"]) == (1, 1)

    def test_cleanup_uses_the_retention_setting(self, api, root_admin, tenant_a):
        import datetime

        from django.utils import timezone

        from portal.audit.models import AuditLog
        from portal.config import set_config

        set_config("system.audit.retention_days", 30)
        old = AuditLog.objects.create(action="x", method="POST", path="/old", status_code=200)
        recent = AuditLog.objects.create(action="x", method="POST", path="/new", status_code=200)
        AuditLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=31))
        AuditLog.objects.filter(pk=recent.pk).update(created_at=timezone.now() - datetime.timedelta(days=29))
        task = shipped("system: audit and log cleanup")
        r = api(root_admin).post(f"{TASKS}/{task.pk}/execute")
        assert r.json()["data"]["status"] == "success"
        assert not AuditLog.objects.filter(pk=old.pk).exists()
        assert AuditLog.objects.filter(pk=recent.pk).exists()


class TestEditSchedulePage:
    """``/system/tasks/?edit=<id>``: change a task's cron expression and enabled flag, validated
    like the API's create and audited with old and new values."""

    URL = "/system/tasks/"

    def test_root_admin_changes_cron_and_pauses_with_an_audit_row(self, client, root_admin):
        from portal.audit.models import AuditLog

        task = shipped("system: database backup")
        client.force_login(root_admin)
        page = client.get(self.URL, {"edit": task.pk}).content.decode()
        assert 'id="edit-task"' in page and 'value="0 2 * * *"' in page
        r = client.post(self.URL, {"action": "update", "task_id": task.pk, "cron_expression": "30 1 * * 1-5"})
        assert r.status_code == 302
        task.refresh_from_db()
        assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("30", "1", "1-5")
        assert task.enabled is False  # the box was not ticked
        row = AuditLog.objects.get(resource_type="scheduled_task", resource_id=str(task.pk))
        assert row.old_value == {"cron_expression": "0 2 * * *", "enabled": True}
        assert row.new_value == {"cron_expression": "30 1 * * 1-5", "enabled": False}
        # the list shows the new expression
        assert "30 1 * * 1-5" in client.get(self.URL).content.decode()

    @pytest.mark.parametrize("cron", ["61 * * * *", "0 2 * *", "every day"])
    def test_bad_cron_is_refused_on_the_page_and_changes_nothing(self, client, root_admin, cron):
        from portal.audit.models import AuditLog

        task = shipped("system: database backup")
        before = (snapshot(), task.crontab_id, task.enabled)
        client.force_login(root_admin)
        r = client.post(self.URL, {"action": "update", "task_id": task.pk, "cron_expression": cron, "enabled": "1"})
        assert r.status_code == 400
        page = r.content.decode()
        assert 'id="edit-task"' in page and f'value="{cron}"' in page and 'aria-invalid="true"' in page
        task.refresh_from_db()
        assert (snapshot(), task.crontab_id, task.enabled) == before
        assert not AuditLog.objects.filter(resource_type="scheduled_task").exists()

    def test_interval_jobs_only_pause(self, client, root_admin):
        task = shipped("system: monitor tick")
        client.force_login(root_admin)
        page = client.get(self.URL, {"edit": task.pk}).content.decode()
        assert 'name="cron_expression"' not in page.split('id="edit-task"')[1].split("</section>")[0]
        r = client.post(self.URL, {"action": "update", "task_id": task.pk, "cron_expression": "0 * * * *"})
        assert r.status_code == 400
        task.refresh_from_db()
        assert task.interval_id is not None and task.crontab_id is None and task.enabled
        assert client.post(self.URL, {"action": "update", "task_id": task.pk}).status_code == 302
        task.refresh_from_db()
        assert task.enabled is False

    def test_tenant_admin_is_refused_and_nothing_changes(self, client, tenant_a, make_user):
        task = shipped("system: database backup")
        client.force_login(make_user(tenant_a, "admin"))
        r = client.post(self.URL, {"action": "update", "task_id": task.pk, "cron_expression": "5 5 * * *"})
        assert r.status_code == 403
        task.refresh_from_db()
        assert cron_of(task) == "0 2 * * *" and task.enabled


def cron_of(task):
    from portal.system.scheduling import cron_expression

    return cron_expression(task)
