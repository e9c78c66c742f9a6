from django.core.management.base import BaseCommand
from django.db import transaction

from portal.demo import DemoContext, demo_modules


class Command(BaseCommand):
    help = "Create the demo tenants, users and sample data (idempotent: safe to run again)."

    def handle(self, *args, **options):
        ctx = DemoContext(log=lambda message: self.stdout.write(f"  {message}"))
        with transaction.atomic():
            for module in demo_modules():
                self.stdout.write(f"seeding {module.__name__}")
                module.seed(ctx)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
