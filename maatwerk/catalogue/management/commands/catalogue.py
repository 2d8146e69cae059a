"""`maatwerk catalogue import FILE`: validate every row of a CSV or XLSX file, then import all or nothing."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from maatwerk.catalogue.importer import COLUMNS, CatalogueFileError, read_file, validate
from maatwerk.catalogue.services import import_items


class Command(BaseCommand):
    help = "Manage the cost catalogue. `catalogue import FILE` imports a CSV or XLSX file (all or nothing)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = sub.add_parser(
            "import",
            help=f"import items from CSV (UTF-8) or XLSX (first sheet) with the columns {','.join(COLUMNS)}",
        )
        imp.add_argument("file", help="path to a .csv or .xlsx file")
        imp.add_argument("--dry-run", action="store_true", help="only validate; change nothing")

    def handle(self, *args, action, **options):
        if action == "import":
            return self.import_file(options["file"], dry_run=options["dry_run"])
        raise CommandError(f"unknown action {action}")  # argparse already refuses this

    def import_file(self, path: str, *, dry_run: bool):
        try:
            sheet = read_file(path)
        except CatalogueFileError as exc:
            raise CommandError(str(exc)) from None
        items, problems = validate(sheet)
        if problems:
            lines = [
                _("Nothing was imported: %(count)s problem(s) in %(path)s.")
                % {"count": len(problems), "path": path}
            ]
            lines += [f"  {problem}" for problem in problems]
            raise CommandError("\n".join(lines))
        if dry_run:
            self.stdout.write(
                _("All %(count)s rows are valid; nothing imported (--dry-run).") % {"count": len(items)}
            )
            return
        result = import_items(items)
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported %(total)s rows: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "total": len(items),
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
        )
