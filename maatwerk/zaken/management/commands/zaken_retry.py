"""Queue again the registrations in Open Zaak that failed, wait, or were left by a dead worker."""

from django.core.management.base import BaseCommand

from maatwerk.zaken import services


class Command(BaseCommand):
    help = "Retry failed and interrupted registrations in Open Zaak (for municipalities that switched it on)."

    def handle(self, *args, **options):
        queued = services.retry_all()
        self.stdout.write(f"{len(queued)} registration(s) queued again.")
