"""The export job: from an approved request to one zip (Parquet, CSV, codebook, manifest).

The interface the task and the command call (maatwerk/research/tasks.py, management/commands/
export_research.py):

    build(export, *, out_dir, progress) -> Path

builds the file of `export` (a ResearchExport whose request has at least one approved part) under
`out_dir` and returns the path of the zip. It reports how far it is with `progress(stage, done, total)`,
called at most a few times a second; it raises ExportError with a Dutch message without personal data
when it cannot finish. It writes to a temporary name and renames at the end, so a half-built file never
looks finished.

The job, in order (the columns, quasi-identifiers and hierarchies are documented in `dataset`):

1. **Count** (stage "counting"): pass 1 streams the quasi-identifiers and sensitive values of every case
   into a `kanon.Tally` (memory: one entry per distinct combination, not per case).
2. **Plan** (stage "planning"): `kanon.plan` with k = 10 (CBS's threshold), l = 2 and at most 5 % of the
   rows suppressed or withheld.
3. **Write** (stage "writing"): pass 2 streams the full rows in chunks of `CHUNK` cases, puts each row's
   quasi-identifiers through `kanon.apply`, drops the withheld rows, and appends one Arrow RecordBatch per
   chunk to cases.parquet and cases.csv (a ParquetWriter and a CSVWriter: the file is never in memory).
   With free text, each chunk's notes, consented feedback quotes and shared voices go through
   `anonymize_for_research` with that household's names, paragraph by paragraph, into texts.*.
4. **Check**: the quasi-identifiers as written are counted again in a fresh tally (exact sets) and the
   file is refused (ExportError) when any class has fewer than k rows or fewer than l values: the plan's
   promise is verified on the output, not assumed (cases can change between the passes when the reads
   do not share a snapshot).
5. **Pack** (stage "packing"): codebook.csv and manifest.json are added and everything is zipped to
   ``onderzoek-<request>.zip.<random>.part`` (two builds of one export never share a temporary file),
   renamed to ``onderzoek-<request>.zip`` at the end.

Both passes read in one snapshot when they can: when `build` is called outside a transaction (the task
worker, the command), it opens a second connection with a repeatable-read, read-only transaction for the
reads, so that the progress the caller writes on the default connection commits as it goes and the
progress bar moves. Inside a transaction (the tests) it reads on the caller's connection.

Pseudonyms: HMAC-SHA256 with the export's key over ``b"case:" + id`` and ``b"household:" + id``, hex,
the first 20 characters (80 bits: no collision to expect among millions). The same key gives the same
pseudonyms on a rebuild; another export has another key. The key is never written.
"""

from __future__ import annotations

import hmac
import shutil
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.translation import gettext as _

from maatwerk.lib import kanon
from maatwerk.research.models import RequestPart, VariableGroup

from . import dataset, files
from .texts import TextWriter

Progress = Callable[[str, int, int], None]

CHUNK = 10_000
K = kanon.DEFAULT_K
L = kanon.DEFAULT_L
MAX_SUPPRESSION = kanon.DEFAULT_MAX_SUPPRESSION
PSEUDONYM_CHARS = 20
PROGRESS_EVERY = 0.3  # seconds between progress reports (the first and last of a stage always go)


class ExportError(Exception):
    """A job that cannot finish; the message is shown to the researcher and holds no personal data."""


class _Throttled:
    def __init__(self, progress: Progress):
        self.progress = progress
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last >= PROGRESS_EVERY:
            self.last = now
            self.progress(stage, done, total)


class _Reader:
    """Where the two passes read: a connection of their own in one read-only snapshot when the caller is
    not in a transaction, else the caller's connection (see the module's docstring)."""

    def __enter__(self):
        if connection.in_atomic_block:
            self.conn, self.own = connection, False
        else:
            self.conn, self.own = connections.create_connection(DEFAULT_DB_ALIAS), True
            self.conn.ensure_connection()
            if self.conn.vendor == "postgresql":
                self.conn.set_autocommit(False)
                with self.conn.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            else:
                # SQLite: an explicit deferred transaction; its first read fixes the snapshot (WAL).
                self.conn.connection.execute("BEGIN")
        return self

    def __exit__(self, *exc):
        if self.own:
            try:
                if self.conn.vendor == "postgresql":
                    self.conn.rollback()
                else:
                    self.conn.connection.execute("ROLLBACK")
            finally:
                self.conn.close()

    @property
    def vendor(self) -> str:
        return self.conn.vendor

    def one(self, sql: str, params) -> tuple:
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    def all(self, sql: str, params) -> list[tuple]:
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def chunks(self, sql: str, params, size: int = CHUNK):
        # A server-side (named) cursor on PostgreSQL: the rows come CHUNK at a time, never all at once.
        cursor = self.conn.chunked_cursor()
        try:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(size):
                yield rows
        finally:
            cursor.close()


class Pseudonyms:
    """Keyed pseudonyms (HMAC-SHA256) of one export."""

    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ExportError(_("The export has no key; create the export again."))
        self._key = key

    def __call__(self, kind: bytes, ident: int) -> str:
        # hmac.digest: the one-shot C path, several times faster than hmac.new(...).hexdigest() per call.
        return hmac.digest(self._key, kind + b":" + str(ident).encode(), "sha256").hex()[:PSEUDONYM_CHARS]


def _decimal(value):
    # PostgreSQL gives ROUND(numeric, 2) as a Decimal; SQLite sums decimals as floats of whole cents.
    if value is None or type(value) is Decimal:
        return value
    return Decimal(f"{value:.2f}")


def build(export, *, out_dir: Path, progress: Progress) -> Path:
    started = time.time()
    request = export.request
    report = _Throttled(progress)
    municipalities = list(
        RequestPart.objects.filter(request=request, state=RequestPart.State.APPROVED)
        .order_by("municipality__name")
        .values_list("municipality_id", "municipality__name")
    )
    if not municipalities:
        raise ExportError(_("The request has no approved municipality."))
    pseudonym = Pseudonyms(bytes(export.key or b""))
    groups = [g for g in VariableGroup.values if g in (request.variable_groups or [])]
    several = len(municipalities) > 1
    qi_names = dataset.quasi_identifiers(several)
    hierarchies = [dataset.HIERARCHIES[n] for n in qi_names]
    with_goal = VariableGroup.OUTCOME in groups
    start, end = dataset.period(request.period_from, request.period_to)
    ids = [m for m, _name in municipalities]

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"onderzoek-{request.pk}.zip"
    work = out_dir / f".onderzoek-{request.pk}-{uuid.uuid4().hex}.tmp"
    partial = target.with_name(f"{target.name}.{uuid.uuid4().hex}.part")
    work.mkdir()
    try:
        with _Reader() as reader:
            if reader.vendor not in dataset.DIALECTS:
                raise ExportError(_("The export knows SQLite and PostgreSQL only."))
            d = dataset.DIALECTS[reader.vendor]
            columns = files.columns(qi_names, groups, d)
            (total,) = reader.one(*dataset.count_sql(ids, start, end))

            # Pass 1: the quasi-identifiers and sensitive values of every case.
            tally = kanon.Tally(2 if with_goal else 1, L)
            report("counting", 0, total, force=True)
            done = 0
            light_sql, params = dataset.cases_sql(d, groups, columns, ids, start, end, light=True)
            for rows in reader.chunks(light_sql, params):
                for row in rows:
                    tally.add(dataset.qi_tuple(row, qi_names), dataset.sensitive(row, with_goal))
                done += len(rows)
                report("counting", done, total)
            report("counting", done, total, force=True)

            report("planning", 0, 1, force=True)
            plan = kanon.plan(tally, hierarchies, k=K, l=L, max_suppression=MAX_SUPPRESSION)
            del tally
            report("planning", 1, 1, force=True)
            if plan.published == 0:
                raise ExportError(
                    _("Too few cases to publish with k = %(k)d and l = %(l)d: every case would be withheld.")
                    % {"k": K, "l": L}
                )

            # Pass 2: the full rows, written chunk by chunk.
            check = kanon.Tally(2 if with_goal else 1, None)
            texts = TextWriter(work, reader, pseudonym) if request.free_text else None
            written = 0
            full_sql, params = dataset.cases_sql(d, groups, columns, ids, start, end, light=False)
            with files.CasesWriter(work, columns) as writer:
                report("writing", 0, total, force=True)
                done = 0
                for rows in reader.chunks(full_sql, params):
                    kept, published = [], []
                    for row in rows:
                        qi = kanon.apply(plan, dataset.qi_tuple(row, qi_names))
                        if qi is not None:
                            kept.append(row)
                            published.append(qi)
                            check.add(qi, dataset.sensitive(row, with_goal))
                    if kept:
                        writer.write(_arrays(kept, published, columns, qi_names, pseudonym))
                        if texts:
                            texts.add(kept)
                    written += len(kept)
                    done += len(rows)
                    report("writing", done, total)
                report("writing", done, total, force=True)
            if texts:
                texts.close()
            if done != total or written != plan.published:
                raise ExportError(_("The cases changed while the export was being built; start it again."))
            try:
                k_reached, l_reached = check.check(K, L)
            except ValueError:
                raise ExportError(
                    _("The cases changed while the export was being built; start it again.")
                ) from None

        report("packing", 0, 1, force=True)
        summary = plan.summary() | {
            "k_reached": k_reached,
            "l_reached": l_reached,
            "sensitive_attributes": ["domains", *(["goal_reached"] if with_goal else [])],
        }
        files.write_codebook(work / "codebook.csv", columns, plan, with_texts=texts is not None)
        manifest = files.manifest(
            request,
            municipalities=[name for _m, name in municipalities],
            period=(start, end),
            groups=groups,
            anonymity=summary,
            texts=texts.count if texts else None,
            started=started,
        )
        files.write_json(work / "manifest.json", manifest)
        files.pack(work, partial)
        partial.replace(target)
        export.manifest = manifest
        report("packing", 1, 1, force=True)
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)
        partial.unlink(missing_ok=True)


def _arrays(rows, published, columns, qi_names, pseudonym) -> list:
    """The chunk's values, one list per column in the order of `columns`."""
    passthrough = (
        list(zip(*(row[dataset.HEAD :] for row in rows), strict=True)) if rows[0][dataset.HEAD :] else []
    )
    qi_index = {name: i for i, name in enumerate(qi_names)}
    out = []
    sql_position = 0
    for column in columns:
        if column.name == "case":
            values = [pseudonym(b"case", row[dataset.ID]) for row in rows]
        elif column.name == "household":
            values = [pseudonym(b"household", row[dataset.HOUSEHOLD]) for row in rows]
        elif column.name in qi_index:
            i = qi_index[column.name]
            values = [qi[i] for qi in published]
        elif column.name == "agencies":
            values = [(row[dataset.AGENCIES] or 0).bit_count() for row in rows]
        else:
            values = passthrough[sql_position]
            sql_position += 1
            if column.type == "decimal" and any(v is not None and type(v) is not Decimal for v in values):
                values = [_decimal(v) for v in values]
        out.append(values)
    return out
