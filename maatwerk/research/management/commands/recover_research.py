"""`maatwerk recover-research`: queue again the research exports a killed worker left behind (running with
an old heartbeat, or queued without a task). Safe to run at any time and more than once.

scripts/run-with-worker.sh runs it with `--stale-after 0` before it starts the only worker: then every job
still marked running belongs to a worker that is gone, however fresh its last heartbeat.
"""

import datetime

from django.core.management.base import BaseCommand

from maatwerk.research import services


class Command(BaseCommand):
    help = "Queue again research exports left running or queued by a worker that stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after",
            type=int,
            default=int(services.STALE_AFTER.total_seconds()),
            help="seconds without a heartbeat after which a running job counts as dead (0: all of them; "
            "only when no other worker runs)",
        )

    def handle(self, *args, stale_after: int, **options):
        recovered = services.recover_stale(stale_after=datetime.timedelta(seconds=max(0, stale_after)))
        if options["verbosity"]:
            self.stdout.write(f"recovered: {len(recovered)}")
