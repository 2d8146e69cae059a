"""Exports of the barrier register: one row per barrier, counts and sums only (no households).

A registry of exporters (after healthchecks' TRANSPORTS); every cell goes through `safe_cell` so that a
title like "=HYPERLINK(...)" is shown, never run, by a spreadsheet program.
"""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from maatwerk.lib.exports import money_cell, safe_cell

from .models import LEVEL_ORDER, Escalation, Level


def headers() -> list[str]:
    return [
        _("reference"),
        _("municipality"),
        _("team"),
        _("type"),
        _("title"),
        _("agencies involved"),
        _("legal provision"),
        _("status"),
        _("highest level"),
        _("households hit"),
        _("cases linked"),
        _("cost at stake"),
        _("registered at"),
        _("age in days"),
        _("date of the risk"),
        _("structural group"),
    ]


def rows(barriers):
    """Plain values per barrier; expects `queries.with_figures` annotations."""
    now = timezone.now()
    levels = {}
    for barrier_id, level in Escalation.objects.filter(barrier__in=barriers).values_list(
        "barrier_id", "level"
    ):
        current = levels.get(barrier_id)
        if current is None or LEVEL_ORDER.index(Level(level)) > LEVEL_ORDER.index(Level(current)):
            levels[barrier_id] = level
    for b in barriers:
        level = levels.get(b.pk)
        yield [
            b.reference,
            b.municipality.name,
            b.team.name if b.team_id else "",
            str(b.get_type_display()),
            b.title,
            b.agency_labels,
            b.legal_provision,
            str(b.get_status_display()),
            str(Level(level).label) if level else "",
            b.households_hit,
            b.cases_linked,
            money_cell(b.cost_at_stake or 0),
            timezone.localtime(b.created_at).date(),
            (now - b.created_at).days,
            b.risk_date or "",
            b.group.reference if b.group_id else "",
        ]


def _filename(ext: str) -> str:
    return f"knelpunten-{timezone.localdate():%Y%m%d}.{ext}"


def export_csv(barriers) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([safe_cell(h) for h in headers()])
    for row in rows(barriers):
        writer.writerow([safe_cell(v) for v in row])
    # A BOM so that Excel opens the UTF-8 file with the right characters.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def export_xlsx(barriers) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Barriers")[:31]
    sheet.append([safe_cell(h) for h in headers()])
    for row in rows(barriers):
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response


EXPORTERS = {"csv": export_csv, "xlsx": export_xlsx}
