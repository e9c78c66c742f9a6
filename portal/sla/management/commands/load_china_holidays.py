"""``manage.py load_china_holidays``: load (or refresh) the shared mainland-China holiday set."""

from pathlib import Path

from django.core.management.base import BaseCommand

from portal.sla.services import CHINA_HOLIDAYS_FIXTURE, holidays_load_fixture


class Command(BaseCommand):
    help = "Load the shared mainland-China public holidays and make-up workdays (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=CHINA_HOLIDAYS_FIXTURE, help="fixture to load")

    def handle(self, *args, file: Path, **options):
        result = holidays_load_fixture(path=file)
        years = ", ".join(str(y) for y in result.years)
        if options["verbosity"]:
            self.stdout.write(f"{result.days} days loaded for {years}; {result.removed} stale days removed")
