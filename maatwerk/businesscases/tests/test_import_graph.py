"""The app's modules import one another one way (no circle), function-level imports included.

engine <- evaluation <- presentation <- editor, pdf <- services <- views, api. A circle (as there was:
services -> pdf -> views -> services) works only as long as some import stays inside a function; this test
reads every module's imports with ``ast`` so a new circle fails here, not at some later import order.
"""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

APP = Path(__file__).resolve().parent.parent
PACKAGE = "maatwerk.businesscases"


def _modules() -> dict[str, Path]:
    """Module name (relative to the app, e.g. "engine") -> file, without tests and migrations."""
    out = {}
    for path in APP.rglob("*.py"):
        rel = path.relative_to(APP)
        if rel.parts[0] in ("tests", "migrations"):
            continue
        name = ".".join(rel.with_suffix("").parts)
        out[name.removesuffix(".__init__") if name != "__init__" else ""] = path
    return out


def _imports(path: Path, known: set[str]) -> set[str]:
    """The app's own modules that ``path`` imports, anywhere in the file (module or function level)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:  # from .x import y / from . import x
                base = node.module or ""
            elif node.level == 0 and node.module and (node.module + ".").startswith(PACKAGE + "."):
                base = node.module[len(PACKAGE) + 1 :]
            elif node.level == 0 and node.module == PACKAGE:
                base = ""
            else:
                continue
            if base:
                found.add(base)
            # "from . import engine" names modules, "from .engine import x" names attributes of one.
            found.update(
                f"{base}.{alias.name}".lstrip(".")
                for alias in node.names
                if f"{base}.{alias.name}".lstrip(".") in known
            )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE + "."):
                    found.add(alias.name[len(PACKAGE) + 1 :])
    return {name for name in found if name in known}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, known) - {name} for name, path in modules.items()}


def test_the_graph_sees_function_level_imports():
    # services imports the PDF module inside export_plan_pdf (WeasyPrint is heavy): still an edge.
    assert "pdf" in import_graph()["services"]


def test_the_modules_of_businesscases_import_one_another_without_a_circle():
    graph = import_graph()
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise AssertionError(f"import circle in {PACKAGE}: {' -> '.join(exc.args[1])}") from None
    assert set(order) == set(graph)


def test_the_layers_run_the_documented_way():
    graph = import_graph()
    lower_than = {
        "engine": {"evaluation", "presentation", "editor", "pdf", "services", "views", "api"},
        "evaluation": {"presentation", "editor", "pdf", "services", "views", "api"},
        "presentation": {"editor", "pdf", "services", "views", "api"},
        "editor": {"services", "views", "api"},
        "pdf": {"services", "views", "api"},
        "services": {"views", "api"},
    }
    for module, above in lower_than.items():
        assert not graph[module] & above, (module, graph[module] & above)


def test_a_circle_would_be_found(tmp_path, monkeypatch):
    # Guards the test above: the same reading finds a circle when one is there.
    (tmp_path / "a.py").write_text("def f():\n    from .b import x\n", encoding="utf-8")
    (tmp_path / "b.py").write_text(f"from {PACKAGE}.a import f\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["APP"]), "APP", tmp_path)
    graph = import_graph()
    assert graph == {"a": {"b"}, "b": {"a"}}
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError:
        return
    raise AssertionError("the circle a -> b -> a was not found")
