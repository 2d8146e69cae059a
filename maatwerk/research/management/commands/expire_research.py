"""`maatwerk expire-research` (cron, e.g. daily): delete the files and wipe the keys of research exports
past their expiry date. The worker also does it before every export job."""

from django.core.management.base import BaseCommand

from maatwerk.research import services


class Command(BaseCommand):
    help = "Delete research exports past their expiry date (file and pseudonym key)."

    def handle(self, *args, **options):
        expired = services.expire_due()
        if options["verbosity"]:
            self.stdout.write(f"expired: {len(expired)}")
