"""The outbox: written with the change, delivered after commit, retried with backoff, and
each row delivered once even when the broker or the channel layer is down for a while."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from portal.celery import app as celery_app
from portal.errors import DomainError
from portal.notifications import services
from portal.notifications.models import ChatRobot, Delivery, Notification, NotificationPreference
from portal.notifications.services import notify
from portal.notifications.tasks import deliver_notification, retry_pending_deliveries
from tests.notifications.conftest import configure_smtp, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(tenant_a, make_user):
    return make_user(tenant_a, "agent", username="alice", email="alice@a.test")


@pytest.fixture
def published(monkeypatch):
    """Records what reaches the channel layer through ``portal.realtime.publish``."""
    sent = []
    monkeypatch.setattr("portal.realtime.publish", lambda group, event, data: sent.append((group, event, data)))
    return sent


def ticket_assigned(user, n=1, **extra):
    return notify(recipient=user, type="ticket_assigned", title=f"工单已分配 {n}", message=f"TK-{n}", **extra)


class TestWrittenWithTheChange:
    def test_notification_and_its_outbox_rows_are_created_together(self, alice, tenant_a, chat_platform):
        # given email configured and a robot subscribed to assignments
        configure_smtp(2525)
        ChatRobot.objects.create(
            tenant=tenant_a,
            name="值班群",
            platform="wecom",
            webhook_url=chat_platform.url("/x"),
            types=["ticket_assigned"],
        )
        # when
        notification = ticket_assigned(alice, ticket_id=7, data={"ticket_number": "TK-7"})
        # then one row per channel, pending, first retry a grace period away
        rows = {(d.channel, d.target, d.status) for d in notification.deliveries.all()}
        robot = ChatRobot.objects.get()
        assert rows == {
            ("websocket", "", "pending"),
            ("email", "alice@a.test", "pending"),
            ("chat", f"robot:{robot.pk}", "pending"),
        }
        assert all(d.next_attempt_at > timezone.now() for d in notification.deliveries.all())
        assert notification.data == {"ticket_number": "TK-7"} and notification.ticket_id == 7

    def test_rollback_leaves_nothing_and_sends_nothing(self, alice, monkeypatch, django_capture_on_commit_callbacks):
        queued = []
        monkeypatch.setattr(deliver_notification, "delay", lambda *a: queued.append(a))
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            ticket_assigned(alice)
            raise RuntimeError("the ticket change failed")
        assert not Notification.objects.exists()
        assert not Delivery.objects.exists()
        assert callbacks == [] and queued == []

    def test_commit_queues_delivery_once(self, alice, monkeypatch, django_capture_on_commit_callbacks):
        queued = []
        monkeypatch.setattr(deliver_notification, "delay", lambda *a: queued.append(a))
        with django_capture_on_commit_callbacks(execute=True):
            notification = ticket_assigned(alice)
        assert queued == [(notification.pk,)]

    def test_preferences_decide_the_channels(self, alice):
        configure_smtp(2525)
        NotificationPreference.objects.create(tenant=alice.tenant, user=alice, type="ticket_assigned", email=False)
        notification = ticket_assigned(alice)
        assert [d.channel for d in notification.deliveries.all()] == ["websocket"]
        NotificationPreference.objects.filter(user=alice).update(in_app=False)
        assert ticket_assigned(alice, 2) is None  # nothing wanted, nothing stored

    def test_email_only_is_stored_but_hidden_from_the_inbox(self, alice, api):
        configure_smtp(2525)
        NotificationPreference.objects.create(
            tenant=alice.tenant, user=alice, type="sla_breached", in_app=False, email=True
        )
        notification = notify(recipient=alice, type="sla_breached", title="SLA 违约", message="TK-1")
        assert notification.in_app is False
        assert [d.channel for d in notification.deliveries.all()] == ["email"]
        assert api(alice).get("/api/notifications/unread-count").json()["data"]["count"] == 0

    def test_the_actor_is_not_told_about_their_own_change(self, alice):
        assert ticket_assigned(alice, actor=alice) is None

    def test_notify_many_tells_each_recipient_once(self, alice, tenant_a, make_user):
        bob = make_user(tenant_a, "agent", username="bob")
        created = services.notify_many(
            recipients=[alice, bob, alice, None], type="announcement", title="维护通知", message="今晚维护"
        )
        assert sorted(n.recipient_id for n in created) == sorted([alice.pk, bob.pk])


class TestManyAtOnce:
    """``notify_all``: what ``notify`` does for each notice, for a fixed number of queries."""

    def test_each_notice_follows_its_recipients_preferences(self, alice, tenant_a, make_user, chat_platform):
        configure_smtp(2525)
        bob = make_user(tenant_a, "agent", username="bob", email="bob@a.test")
        gone = make_user(tenant_a, "agent", username="gone", email="gone@a.test")
        gone.status = "inactive"
        gone.save(update_fields=["status"])
        robot = ChatRobot.objects.create(
            tenant=tenant_a,
            name="值班群",
            platform="wecom",
            webhook_url=chat_platform.url("/x"),
            types=["comment_added"],
        )
        NotificationPreference.objects.create(tenant=tenant_a, user=bob, type="ticket_assigned", email=False)
        NotificationPreference.objects.create(tenant=tenant_a, user=alice, type="comment_added", chat=True)
        notices = [
            services.Notice(alice, "ticket_assigned", "分配 1", "TK-1", ticket_id=1),
            services.Notice(bob, "ticket_assigned", "分配 2", "TK-2", ticket_id=2),
            services.Notice(alice, "comment_added", "评论", "TK-1", ticket_id=1),
            services.Notice(gone, "ticket_assigned", "分配 3", "TK-3"),  # inactive: nothing
            services.Notice(alice, "ticket_assigned", "分配 4", "TK-4", actor=alice),  # her own change: nothing
        ]
        made = services.notify_all(notices)
        assert [n is not None for n in made] == [True, True, True, False, False]
        channels = [sorted((d.channel, d.target) for d in n.deliveries.all()) for n in made[:3]]
        assert channels == [
            [("email", "alice@a.test"), ("websocket", "")],
            [("websocket", "")],  # bob turned email off for assignments
            [("chat", f"robot:{robot.pk}"), ("websocket", "")],  # comment_added: chat on, email off by default
        ]
        assert [(n.recipient_id, n.title, n.ticket_id) for n in made[:3]] == [
            (alice.pk, "分配 1", 1),
            (bob.pk, "分配 2", 2),
            (alice.pk, "评论", 1),
        ]

    def test_an_unknown_type_refuses_them_all(self, alice):
        notices = [services.Notice(alice, "ticket_assigned", "好", "1"), services.Notice(alice, "nonsense", "坏", "2")]
        with pytest.raises(DomainError):
            services.notify_all(notices)
        assert not Notification.objects.exists()

    def test_queries_do_not_grow_with_the_notices(self, alice, tenant_a, make_user):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        users = [alice, *(make_user(tenant_a, "agent", username=f"u{k}", email=f"u{k}@a.test") for k in range(10))]

        def cost(n):
            with CaptureQueriesContext(connection) as ctx:
                made = services.notify_all([services.Notice(u, "ticket_assigned", "分配", "TK") for u in users[:n]])
            assert all(made)
            return len(ctx.captured_queries)

        cost(1)
        assert cost(2) == cost(11)

    def test_commit_queues_each_delivery_once(
        self, alice, tenant_a, make_user, monkeypatch, django_capture_on_commit_callbacks
    ):
        bob = make_user(tenant_a, "agent", username="bob")
        queued = []
        monkeypatch.setattr(deliver_notification, "delay", lambda *a: queued.append(a))
        with django_capture_on_commit_callbacks(execute=True):
            made = services.notify_all([services.Notice(u, "ticket_assigned", "分配", "TK") for u in (alice, bob)])
        assert sorted(queued) == sorted((n.pk,) for n in made)


class TestDelivery:
    def test_on_commit_task_pushes_the_documented_payload(
        self, alice, published, eager_celery, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            notification = ticket_assigned(alice, ticket_id=1)
        assert published == [
            (
                f"user.{alice.pk}",
                "notification",
                {
                    "id": notification.pk, "type": "ticket_assigned", "title": "工单已分配 1", "message": "TK-1",
                    "ticket_id": 1, "created_at": notification.created_at.isoformat().replace("+00:00", "Z"),
                },
            )
        ]  # fmt: skip
        delivery = notification.deliveries.get()
        assert (delivery.status, delivery.attempts) == ("sent", 1) and delivery.sent_at

    def test_running_the_task_twice_delivers_once(self, alice, published):
        notification = ticket_assigned(alice)
        deliver_notification(notification.pk)
        deliver_notification(notification.pk)  # acks_late redelivery after a worker died
        retry_pending_deliveries()
        assert len(published) == 1

    def test_failure_backs_off_exponentially_then_succeeds(self, alice, tenant_a, chat_platform):
        # given a robot whose platform refuses the first two calls ({"errcode": 130101})
        chat_platform.fail_next = 2
        ChatRobot.objects.create(
            tenant=tenant_a, name="群", platform="wecom", types=["ticket_assigned"],
            webhook_url=chat_platform.url("/cgi-bin/webhook/send?key=wecom-key"),
        )  # fmt: skip
        notification = ticket_assigned(alice)
        chat = notification.deliveries.get(channel="chat")
        start = timezone.now()
        with time_machine.travel(start, tick=False) as clock:
            deliver_notification(notification.pk)
            chat.refresh_from_db()
            assert (chat.status, chat.attempts) == ("pending", 1)
            assert "130101" in chat.last_error
            assert chat.next_attempt_at == start + timedelta(seconds=30)
            # the retry job leaves it alone until the backoff has passed
            clock.shift(timedelta(seconds=29))
            retry_pending_deliveries()
            chat.refresh_from_db()
            assert chat.attempts == 1
            clock.shift(timedelta(seconds=2))
            retry_pending_deliveries()
            chat.refresh_from_db()
            assert (chat.status, chat.attempts) == ("pending", 2)
            assert chat.next_attempt_at == timezone.now() + timedelta(seconds=60)  # doubled
            clock.shift(timedelta(seconds=61))
            retry_pending_deliveries()
        chat.refresh_from_db()
        assert (chat.status, chat.attempts, chat.last_error) == ("sent", 3, "")
        assert len(chat_platform.received) == 1

    def test_gives_up_after_the_last_attempt(self, alice, monkeypatch):
        def down(*args):
            raise ConnectionError("layer down")

        monkeypatch.setattr("portal.realtime.publish", down)
        notification = ticket_assigned(alice)
        delivery = notification.deliveries.get()
        with time_machine.travel(timezone.now(), tick=False) as clock:
            for _ in range(services.MAX_ATTEMPTS):
                clock.shift(timedelta(hours=2))
                retry_pending_deliveries()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("failed", services.MAX_ATTEMPTS)
        assert delivery.last_error == "ConnectionError: layer down"

    def test_retry_job_stops_when_its_time_budget_is_spent(self, alice, monkeypatch):
        ticks = iter(range(0, 1000, 20))  # every clock reading 20 s later: a slow, failing server
        monkeypatch.setattr("portal.notifications.services.time.monotonic", lambda: next(ticks))
        monkeypatch.setattr("portal.realtime.publish", lambda *a: None)
        for n in range(5):
            ticket_assigned(alice, n)
        Delivery.objects.update(next_attempt_at=timezone.now())
        assert services.retry_due_deliveries(time_budget=45) == 2  # 0 s, 20 s, 40 s … then 60 s > 45 s
        assert Delivery.objects.filter(status="pending").count() == 3

    def test_secrets_never_reach_the_stored_error(self, alice, tenant_a):
        port = free_port()  # nothing listens: connection refused
        ChatRobot.objects.create(
            tenant=tenant_a, name="群", platform="dingtalk", secret="SEC-very-secret", types=["ticket_assigned"],
            webhook_url=f"http://127.0.0.1:{port}/robot/send?access_token=TOKEN-very-secret",
        )  # fmt: skip
        deliver_notification(ticket_assigned(alice).pk)
        error = Delivery.objects.get(channel="chat").last_error
        assert error and "very-secret" not in error


@pytest.fixture
def redis_down(settings):
    """Point the broker and the channel layer at a closed port (the machine's shared Redis is
    left alone); ``restore()`` brings back a working in-process layer."""
    port = free_port()
    dead = f"redis://127.0.0.1:{port}/0"
    amqp = celery_app.amqp
    saved = celery_app.conf.task_always_eager, celery_app.conf.broker_url, celery_app._pool, amqp._producer_pool
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = dead
    celery_app._pool = amqp._producer_pool = None  # pools built earlier point at the old broker
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [dead]}}
    }

    class Control:
        def restore(self):
            settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

    yield Control()
    celery_app.conf.task_always_eager, celery_app.conf.broker_url, celery_app._pool, amqp._producer_pool = saved


def test_with_redis_down_and_back_every_notification_is_delivered_exactly_once(
    alice, tenant_a, make_user, redis_down, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    bob = make_user(tenant_a, "agent", username="bob")
    # given Redis is down: queuing the task fails after commit, and so does the channel layer
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        created = [ticket_assigned(alice, n) for n in range(3)] + [ticket_assigned(bob, 9)]
    assert sum("could not queue delivery" in r.message for r in caplog.records) == 4
    assert Delivery.objects.filter(status="pending").count() == 4
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # the retry job runs while Redis is still down: the pushes fail, nothing is lost
        clock.shift(timedelta(seconds=31))
        assert retry_pending_deliveries() == 0
        assert set(Delivery.objects.values_list("status", "attempts")) == {("pending", 1)}
        # when Redis is back and the backoff has passed
        redis_down.restore()
        sent = []
        import portal.realtime as realtime

        real_publish = realtime.publish
        monkeypatch.setattr(realtime, "publish", lambda *a: (real_publish(*a), sent.append(a))[0])
        clock.shift(timedelta(seconds=31))
        assert retry_pending_deliveries() == 4
        # and the job runs again (a second beat tick, or two at once): nothing is sent twice
        clock.shift(timedelta(hours=1))
        assert retry_pending_deliveries() == 0
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 2)}
    assert sorted(data["id"] for _group, _event, data in sent) == sorted(n.pk for n in created)
    assert {group for group, _event, _data in sent} == {f"user.{alice.pk}", f"user.{bob.pk}"}
