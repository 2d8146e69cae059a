"""The files of an export: the cases table as Parquet and CSV written batch by batch, the codebook, the
manifest and the zip."""

from __future__ import annotations

import csv
import datetime
import hashlib
import importlib.metadata
import json
import platform
import subprocess
import zipfile
from pathlib import Path

import django
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.utils import timezone

from . import dataset

ARROW_TYPES = {
    "string": pa.string(),
    "int": pa.int32(),
    "decimal": pa.decimal128(14, 2),
    "float": pa.float64(),
    "bool01": pa.int8(),
}
PACKAGE = Path(__file__).resolve().parent
# The code that decides what leaves: its sources are hashed into the manifest.
CODE = (PACKAGE, PACKAGE.parent.parent / "lib" / "kanon.py", PACKAGE.parent.parent / "lib" / "anonymize")


def columns(qi_names: list[str], groups: list[str], d: dataset.Dialect) -> list[dataset.Column]:
    """Every column of the cases table, in file order: pseudonyms, quasi-identifiers, core, then the
    requested groups in the order of `VariableGroup`."""
    by_group = dataset.group_columns(d)
    out = [*dataset.PSEUDONYMS, *(dataset.QI_COLUMNS[n] for n in qi_names), *dataset.core_columns()]
    for group in groups:
        out.extend(by_group[group])
    return out


def schema(cols: list[dataset.Column]) -> pa.Schema:
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in cols])


class TableWriter:
    """One table as `<name>.parquet` and `<name>.csv`, a RecordBatch at a time."""

    def __init__(self, directory: Path, name: str, arrow_schema: pa.Schema):
        self.schema = arrow_schema
        self.parquet = pq.ParquetWriter(directory / f"{name}.parquet", arrow_schema, compression="zstd")
        self.csv_file = open(directory / f"{name}.csv", "wb")  # noqa: SIM115 (closed in close())
        self.csv = pacsv.CSVWriter(self.csv_file, arrow_schema)
        self.rows = 0

    def write(self, arrays: list) -> None:
        batch = pa.RecordBatch.from_arrays(
            [pa.array(values, type=field.type) for values, field in zip(arrays, self.schema, strict=True)],
            schema=self.schema,
        )
        self.parquet.write_batch(batch)
        self.csv.write_batch(batch)
        self.rows += batch.num_rows

    def close(self) -> None:
        self.parquet.close()
        self.csv.close()
        self.csv_file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class CasesWriter(TableWriter):
    def __init__(self, directory: Path, cols: list[dataset.Column]):
        super().__init__(directory, "cases", schema(cols))


TEXT_COLUMNS = [
    dataset.Column("case", "string", "pseudoniem van de casus", "als in cases", "HMAC-SHA256", group="texts"),
    dataset.Column(
        "kind",
        "string",
        "soort tekst",
        "note (notitie), quote (citaat van de cliënt, met toestemming), voice (gedeelde stem)",
        group="texts",
    ),
    dataset.Column(
        "text",
        "string",
        "tekst, gedeïdentificeerd",
        "vrije tekst",
        "door de anonimiseerder (namen, data, adressen, nummers vervangen door [TAGS])",
        group="texts",
    ),
]


def write_codebook(path: Path, cols: list[dataset.Column], plan, *, with_texts: bool) -> None:
    levels = dict(zip(plan.names, plan.level_names, strict=True))
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["table", "variable", "type", "values", "label_nl", "coarsening"])
        for c in cols:
            coarsening = c.coarsened
            if c.name in levels:
                coarsening = f"{coarsening}{dataset.QI_NOTE}; in dit bestand: {levels[c.name]}"
            out.writerow(["cases", c.name, c.type, c.values, c.label, coarsening])
        if with_texts:
            for c in TEXT_COLUMNS:
                out.writerow(["texts", c.name, c.type, c.values, c.label, c.coarsened])


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        result = subprocess.run(  # noqa: S603 (a fixed command)
            ["git", "rev-parse", "HEAD"],  # noqa: S607
            cwd=PACKAGE,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def code_digest() -> dict:
    """The modules of the export and the SHA-256 over their sources (path and bytes, in path order)."""
    digest = hashlib.sha256()
    modules = []
    root = PACKAGE.parent.parent.parent
    for base in CODE:
        paths = sorted(base.rglob("*.py")) if base.is_dir() else [base]
        for path in paths:
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            relative = path.relative_to(root).as_posix()
            modules.append(relative[: -len(".py")].replace("/", "."))
            digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    return {"modules": modules, "sha256": digest.hexdigest()}


def manifest(request, *, municipalities, period, groups, anonymity, texts, started) -> dict:
    start, end = period
    last = end - datetime.timedelta(days=1)
    return {
        "request": request.pk,
        "purpose": request.purpose,
        "question": request.question,
        "municipalities": municipalities,
        "period": {"from": f"{start:%Y-%m}", "to": f"{last:%Y-%m}"},
        "variable_groups": groups,
        "rows": anonymity["published_rows"],
        "texts": texts,
        "anonymity": anonymity,
        "pseudonyms": "HMAC-SHA256 met een eigen sleutel per export (niet in de bestanden), 20 hex-tekens",
        "tools": {
            "python": platform.python_version(),
            "django": django.get_version(),
            "pyarrow": pa.__version__,
            "deduce": _version("deduce"),
            "maatwerk": _version("maatwerk"),
            "git_commit": _git_commit(),
        },
        "code": code_digest(),
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "build_seconds": round(timezone.now().timestamp() - started, 1),
    }


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")


ORDER = ("cases.parquet", "cases.csv", "texts.parquet", "texts.csv", "codebook.csv", "manifest.json")


def pack(directory: Path, target: Path) -> None:
    """Zip the files of `directory` (Parquet stored as it is: it is compressed already)."""
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        for name in ORDER:
            path = directory / name
            if path.exists():
                kind = zipfile.ZIP_STORED if name.endswith(".parquet") else zipfile.ZIP_DEFLATED
                # Level 1: the CSV of a million rows deflates in a third of the time of the default level,
                # for a few per cent more bytes.
                archive.write(path, name, compress_type=kind, compresslevel=1)
