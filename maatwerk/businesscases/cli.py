"""``maatwerk businesscase PLAN.json``: compute a business case and print the result as JSON."""

from __future__ import annotations

import json
import sys

from maatwerk.businesscases.engine import PlanError, compute, parse_json

USAGE = "gebruik: maatwerk businesscase PLAN.json  (of '-' om het plan van stdin te lezen)"


def _fail(message: str) -> int:
    print(f"fout: {message}", file=sys.stderr)
    return 2


def main(argv: list[str]) -> int:
    if argv in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if len(argv) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    source = argv[0]
    name = "stdin" if source == "-" else source
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
    except FileNotFoundError:
        return _fail(f"{name}: bestand niet gevonden")
    except IsADirectoryError:
        return _fail(f"{name}: is een map, geen bestand")
    except UnicodeDecodeError:
        return _fail(f"{name}: geen geldige UTF-8-tekst")
    except OSError as exc:
        return _fail(f"{name}: kan niet gelezen worden ({exc.strerror})")

    try:
        # The engine's own parser: NaN, Infinity and absurdly deep nesting get a clear error too.
        result = compute(parse_json(text, field=name))
    except PlanError as exc:
        return _fail(f"{exc.field}: {exc.message}")

    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
