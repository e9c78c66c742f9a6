"""``manage.py rebuild_ticket_rollups [--tenant CODE …] [--check]``: recompute the ticket
roll-ups (``tickets.rollups``) from the tickets, or only report whether they differ."""

from django.core.management.base import BaseCommand, CommandError

from tenants.models import Tenant
from tickets import rollups


class Command(BaseCommand):
    help = "Recompute the ticket roll-ups (state and daily counts) from the tickets."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", action="append", help="tenant code (repeatable); default every tenant")
        parser.add_argument("--check", action="store_true", help="only compare; exit 1 when they differ")

    def handle(self, *args, tenant=None, check=False, **options):
        tenant_ids = None
        if tenant:
            found = dict(Tenant.objects.filter(code__in=tenant).values_list("code", "pk"))
            missing = sorted(set(tenant) - set(found))
            if missing:
                raise CommandError(f"unknown tenant code(s): {', '.join(missing)}")
            tenant_ids = list(found.values())
        if check:
            if rollups.stored(tenant_ids) != rollups.recompute(tenant_ids):
                raise CommandError("the ticket roll-ups differ from the tickets: run rebuild_ticket_rollups")
            self.stdout.write("The ticket roll-ups match the tickets.")
            return
        states, days = rollups.rebuild(tenant_ids)
        self.stdout.write(f"Rebuilt the ticket roll-ups: {states} state rows, {days} daily rows.")
