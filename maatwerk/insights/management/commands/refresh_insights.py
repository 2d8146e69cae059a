import time

from django.core.management.base import BaseCommand

from maatwerk.insights.refresh import refresh


class Command(BaseCommand):
    help = "Rebuild the dashboards' tables (CaseFact, CaseCube, BudgetMonth) now, in the foreground."

    def handle(self, *args, **options):
        clock = time.monotonic()
        run = refresh()
        seconds = time.monotonic() - clock
        self.stdout.write(self.style.SUCCESS(f"Insights refreshed: {run.cases} cases in {seconds:.1f} s."))
