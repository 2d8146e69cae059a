"""`maatwerk export-research --request N --out DIR`: the research file of a decided request, built by the
same job the task worker runs (services.build_file), with the export's own key, into DIR.

For the functional administrator or the researcher on the server. `--by USERNAME` names who takes the
file in the AccessLog; without it the row has no user and says it came from this command.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from maatwerk.research import services
from maatwerk.research.export import ExportError
from maatwerk.research.models import ResearchRequest


class Command(BaseCommand):
    help = "Build the pseudonymised research export of an approved request into a directory; prints its path."

    def add_arguments(self, parser):
        parser.add_argument("--request", type=int, required=True, help="the research request's number")
        parser.add_argument("--out", type=Path, required=True, help="directory to write the zip to")
        parser.add_argument("--by", default="", help="username recorded in the AccessLog")

    def handle(self, *args, request: int, out: Path, by: str, **options):
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"Onbekende gebruiker / unknown user: {by}")
        research_request = ResearchRequest.objects.filter(pk=request).first()
        if research_request is None:
            raise CommandError(f"Aanvraag #{request} bestaat niet / request #{request} does not exist")

        def progress(stage: str, done: int, total: int) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{stage}: {done}/{total}")

        try:
            path = services.export_to(research_request, out_dir=out, by=user, progress=progress)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
