"""The apps import one another one way: lib <- accounts <- domain apps <- insights <- demo.

Read with ``ast`` (function-level imports included), so a new upward import fails here, not at some
later import order. `accounts` in particular imports no domain app: the start page that read case
figures moved here (issue #12).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
DOMAIN = {"cases", "catalogue", "businesscases", "budgets", "barriers"}
# What each layer may not import (its own layer and those below are fine).
FORBIDDEN = {
    "lib": {"accounts", "api", "insights", "demo", *DOMAIN},
    "accounts": {"insights", "demo", *DOMAIN},
    "insights": {"demo"},
}


def imported_apps(app: str) -> dict[str, set[str]]:
    """module path -> the maatwerk apps it imports, for the app's modules outside tests and migrations."""
    out = {}
    for path in (PACKAGE / app).rglob("*.py"):
        rel = path.relative_to(PACKAGE / app)
        if rel.parts[0] in ("tests", "migrations"):
            continue
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "maatwerk" and len(parts) > 1:
                    found.add(parts[1])
        out[str(rel)] = found
    return out


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_no_app_above_it(app):
    upward = {
        module: sorted(apps & FORBIDDEN[app])
        for module, apps in imported_apps(app).items()
        if apps & FORBIDDEN[app]
    }
    assert not upward, f"maatwerk.{app} imports apps above it: {upward}"


def test_the_check_sees_what_a_module_imports():
    # insights reads the cases' team summary, and the budgets services import businesscases inside a
    # function-free module: the check must see both.
    assert "cases" in imported_apps("insights")["views.py"]
    assert "businesscases" in imported_apps("budgets")["services/spends.py"]
