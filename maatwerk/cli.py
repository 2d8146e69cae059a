"""The `maatwerk` command.

`maatwerk businesscase PLAN.json` runs the pure engine without starting Django; every other sub-command
(`demo`, `anonymize`, `export-research`, `catalogue import`, `remind`, and Django's own such as `migrate`)
is a management command.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "businesscase":
        from maatwerk.businesscases.cli import main as businesscase_main

        return businesscase_main(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maatwerk.settings")
    from django.core.management import execute_from_command_line

    if argv:
        argv[0] = argv[0].replace("-", "_")
    execute_from_command_line(["maatwerk", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
