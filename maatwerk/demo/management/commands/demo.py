from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from maatwerk.accounts.models import Municipality
from maatwerk.demo import budgets as demo_budgets
from maatwerk.demo import cases as demo_cases
from maatwerk.demo import research as demo_research
from maatwerk.demo import spends as demo_spends
from maatwerk.demo import story as demo_story
from maatwerk.demo import twofactor as demo_twofactor
from maatwerk.demo import voices as demo_voices
from maatwerk.demo.organisation import ensure_organisation
from maatwerk.insights.freshness import last_refresh
from maatwerk.insights.refresh import refresh


class Command(BaseCommand):
    help = "Create deterministic synthetic demo data for the nine municipalities (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--households", type=int, default=None, help="number of households (default: a few per team)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when demo data already exists"
        )
        parser.add_argument("--print-logins", action="store_true", help="print the demo logins")

    def handle(self, *args, households=None, seed=1, if_empty=False, print_logins=False, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production (MAATWERK_ENV=production).")
        planned = []  # the synthetic cases chosen for a spend, written once the budgets exist
        present = if_empty and Municipality.objects.exists()
        if present:
            self.stdout.write("Demo data present; nothing loaded.")
            logins = ensure_organisation()
        else:
            logins = ensure_organisation()
            self.stdout.write(self.style.SUCCESS(f"Demo organisation ready: {len(logins)} logins."))
            created = demo_cases.generate(
                households,
                seed=seed,
                progress=households is not None and households > 1000,
                planned_spends=planned,
            )
            if created:
                self.stdout.write(
                    self.style.SUCCESS(f"Demo case files: {created} households with a case each.")
                )
            else:
                self.stdout.write("Households present; no demo case files added.")
        # Idempotent, so that a database from before two-factor login existed gets the devices too.
        if devices := demo_twofactor.ensure_devices():
            self.stdout.write(self.style.SUCCESS(f"Demo two-factor login: {devices} logins with an app."))
        # Idempotent, so that a database from before budgets existed gets them too.
        budgets = demo_budgets.ensure_budgets()
        if budgets:
            self.stdout.write(self.style.SUCCESS(f"Demo budgets and mandates: {budgets} budgets."))
        rungs = demo_budgets.ensure_ladder()
        if rungs:
            self.stdout.write(self.style.SUCCESS(f"Demo mandate ladders: {rungs} rungs."))
        spends = demo_budgets.ensure_spends()
        if spends:
            self.stdout.write(self.style.SUCCESS(f"Demo spend requests: {spends}."))
        conversations, voices = demo_voices.ensure_conversations(seed=seed)
        if conversations:
            self.stdout.write(
                self.style.SUCCESS(f"Demo conversations: {conversations}, with {voices} voices.")
            )
        if demo_story.ensure_story():
            self.stdout.write(
                self.style.SUCCESS("Demo story: EUR 6,500 of childcare in Zaanstad, requested.")
            )
        # After the services' own demo spends and the story, so their payment batch holds only theirs.
        if bulk := demo_spends.bulk_spends(planned, seed=seed):
            self.stdout.write(self.style.SUCCESS(f"Demo spend requests of the synthetic cases: {bulk}."))
        if made := demo_research.ensure_research():
            self.stdout.write(
                self.style.SUCCESS(f"Demo research requests: {made} (one approved, one awaiting Utrecht).")
            )
        # The dashboards read precomputed tables: compute them now, so that a fresh demo shows figures
        # (afterwards the task worker refreshes them when a dashboard finds them stale).
        if not present or last_refresh() is None:
            run = refresh()
            self.stdout.write(self.style.SUCCESS(f"Dashboard figures computed: {run.cases} cases."))
        if print_logins:
            self.print_logins(logins)

    def print_logins(self, logins):
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD}):")
        width = max(len(login.username) for login in logins)
        for login in logins:
            mark = "*" if demo_twofactor.needs_code(login.username) else " "
            self.stdout.write(f"{mark} {login.username.ljust(width)}  {login.role:<14} {login.where}")
        self.stdout.write(
            "* asks for a code after the password (two-factor login): "
            "`.venv/bin/python manage.py demo_code <login>` prints the one its authenticator app shows now."
        )
