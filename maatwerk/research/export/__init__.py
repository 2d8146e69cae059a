"""The export job: from an approved request to one zip (Parquet, CSV, codebook, manifest).

The interface the task and the command call (maatwerk/research/tasks.py, management/commands/
export_research.py):

    build(export, *, out_dir, progress) -> Path

builds the file of `export` (a ResearchExport whose request has at least one approved part) under
`out_dir` and returns the path of the zip. It reports how far it is with `progress(stage, done, total)`,
called at most a few times a second; it raises ExportError with a Dutch message without personal data
when it cannot finish. It writes to a temporary name and renames at the end, so a half-built file never
looks finished.

STUB: replaced by the real job (dataset, k-anonymity, writers).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

Progress = Callable[[str, int, int], None]


class ExportError(Exception):
    """A job that cannot finish; the message is shown to the researcher and holds no personal data."""


def build(export, *, out_dir: Path, progress: Progress) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"onderzoek-{export.request_id}.zip"
    partial = target.with_suffix(".zip.part")
    progress("cases", 0, 1)
    with zipfile.ZipFile(partial, "w") as archive:
        archive.writestr("manifest.json", "{}")
    progress("cases", 1, 1)
    partial.replace(target)
    return target
