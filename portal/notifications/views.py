"""Server-rendered pages: my notifications, with mark-read and mark-all-read; my notification
settings (which kinds reach me in the app, by email and in group chats)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from portal.config import get_config
from portal.errors import DomainError
from portal.notifications import selectors, services
from portal.notifications.models import Notification
from portal.notifications.senders import action_url
from portal.page_views import PortalPageMixin


def collapse_per_ticket(notifications) -> list[tuple]:
    """One row per ticket on the page: its newest notice, with the earlier ones folded under it
    (a requester gets one notice per status change; twelve rows about one ticket are noise)."""
    rows, by_ticket = [], {}
    for notification in notifications:
        head = by_ticket.get(notification.ticket_id) if notification.ticket_id else None
        if head is not None:
            head[1].append(notification)
            continue
        row = (notification, [])
        rows.append(row)
        if notification.ticket_id:
            by_ticket[notification.ticket_id] = row
    return rows


class NotificationListView(PortalPageMixin, ListView):
    template_name = "notifications/list.html"
    required_permission = "notification:read"
    paginate_by = 20
    context_object_name = "notifications"
    model = Notification  # rows come from get_base_queryset (my inbox), tenant-scoped by the mixin

    def get_base_queryset(self):
        rows = selectors.inbox_for(self.request.user)
        if self.request.GET.get("unread") == "1":
            rows = rows.filter(read_at__isnull=True)
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = collapse_per_ticket(context["notifications"])
        context["only_unread"] = self.request.GET.get("unread") == "1"
        context["unread_count"] = selectors.unread_count(self.request.user)
        return context


class NotificationReadView(PortalPageMixin, View):
    """POST: mark one of my notifications read, then go to its target (or back to the list)."""

    required_permission = "notification:update"
    http_method_names = ["post"]

    def post(self, request, pk):
        notification = get_object_or_404(selectors.inbox_for(request.user), pk=pk)
        services.notification_mark_read(notification=notification)
        target = action_url(notification) if request.POST.get("open") else request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("notifications:list")
        return HttpResponseRedirect(target)


class NotificationReadAllView(PortalPageMixin, View):
    required_permission = "notification:update"
    http_method_names = ["post"]

    def post(self, request):
        count = services.notifications_mark_read(user=request.user)
        messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
        return HttpResponseRedirect(reverse("notifications:list"))


class NotificationPreferencesView(PortalPageMixin, View):
    """My notification settings: one row per kind, a checkbox per channel. Locked kinds
    (security notices) show their channels on and disabled. The chat column appears only when
    the tenant has a group-chat robot that could relay anything."""

    template_name = "notifications/preferences.html"
    required_permissions = {"get": "notification:read", "post": "notification:update"}
    tenant_required = True

    def get(self, request):
        user = request.user
        return render(
            request,
            self.template_name,
            {
                "preferences": selectors.preferences_for(user),
                "show_chat": selectors.chat_robots_available(user),
                "email_enabled": bool(get_config("notification.email.enabled", tenant=user.tenant)),
                "has_email": bool(user.email),
            },
        )

    def post(self, request):
        show_chat = selectors.chat_robots_available(request.user)
        changes = []
        for row in selectors.preferences_for(request.user):
            if row["locked"]:
                continue
            change = {
                "type": row["type"],
                "in_app": f"{row['type']}-in_app" in request.POST,
                "email": f"{row['type']}-email" in request.POST,
            }
            if show_chat:  # a hidden column keeps what is stored
                change["chat"] = f"{row['type']}-chat" in request.POST
            changes.append(change)
        try:
            services.preferences_update(user=request.user, changes=changes)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Notification settings saved."))
        return HttpResponseRedirect(reverse("notifications:preferences"))
