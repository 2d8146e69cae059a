"""A report as PDF (WeasyPrint, with the support plan's print style), Markdown and CSV. Each file starts
with the voice-balance warnings in plain Dutch; a report whose warnings nobody acknowledged does not
leave (`services.ExportBlocked`). Every export is logged (the format only: no title, no text)."""

import csv
import io
import re

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from maatwerk.lib.exports import safe_cell

from ...charts import Figure, csv_rows, format_value
from . import content as contents
from . import services
from .content import Content

FORMATS = {
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _tones(tones: dict) -> str:
    return ", ".join(f"{label} {n}" for label, n in tones.items())


def _month(story) -> str:
    return dateformat.format(story.month, "F Y")


# --- Markdown -------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def _md(text) -> str:
    """Text as Markdown shows it literally: no markup, links or HTML of its own; one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _md_table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(_md(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _figure_md(figure: Figure) -> list[str]:
    lines = [f"### {_md(figure.title)}", ""]
    if figure.rows:
        lines += _md_table(
            [str(c.label) for c in figure.columns], [[c["text"] for c in r["cells"]] for r in figure.table()]
        )
    if figure.caption:
        lines += [_md(figure.caption), ""]
    lines += [f"- {_md(note)}" for note in figure.all_notes()]
    return lines + ([""] if figure.all_notes() else [])


def _fact(label: str, value) -> str:
    return f"- {_md(label)}: {_md(value)}"


def markdown(c: Content) -> str:
    r = c.report
    lines = [f"# {_md(r.title)}", ""]
    lines += [
        _md(
            _("Report for the reflection meeting · %(scope)s · %(period)s · made by %(role)s on %(when)s")
            % {
                "scope": c.scope,
                "period": c.period,
                "role": c.creator_role or _("unknown role"),
                "when": dateformat.format(timezone.localtime(), "j F Y"),
            }
        ),
        "",
    ]
    if c.warnings:
        lines += ["## " + _("Warnings"), ""] + [f"- {_md(m)}" for m in c.warnings]
        if r.acknowledged_at:
            lines += [
                "",
                _md(
                    _("Read on %(when)s by %(role)s, with this note: %(note)s")
                    % {
                        "when": dateformat.format(timezone.localtime(r.acknowledged_at), "j F Y"),
                        "role": contents.acknowledger_role(r),
                        "note": r.acknowledged_note,
                    }
                ),
            ]
        lines.append("")
    lines += ["## " + _("Selected stories"), ""]
    if not c.stories:
        lines += [_("No stories selected."), ""]
    for number, s in enumerate(c.stories, start=1):
        lines += [
            "### " + _("Story %(n)s") % {"n": number},
            "",
            *[f"> {_md(part)}" for part in s.text.splitlines() or [""]],
        ]
        lines += [
            "",
            _fact(_("Group"), s.group + (f" ({s.role})" if s.role else "")),
            _fact(_("Tone"), s.tone),
            _fact(_("Themes"), ", ".join(s.themes) or "—"),
            _fact(_("Month"), _month(s)),
            _fact(_("Why the panel chose it"), s.reason),
            "",
        ]
    lines += ["## " + _("Voice balance"), ""]
    lines += _md_table(*_indicator_table(c))
    lines += [_md(_indicator_summary(c)), ""]
    if c.indicator.hidden:
        lines += [_md(_hidden_note(c)), ""]
    lines += ["## " + _("Learning points for professionals"), ""]
    if not c.learning:
        lines += [_("No learning points in this scope."), ""]
    for section in c.learning:
        lines += [f"### {_md(section.title)}", ""]
        for theme in section.themes:
            lines.append(f"- **{_md(theme.theme)}** ({_md(theme.count)})")
            lines += [f"  - “{_md(example)}”" for example in theme.examples]
        lines.append("")
    lines += ["## " + _("Headline figures"), "", _md(c.figures_note), ""]
    for figure in c.figures:
        lines += _figure_md(figure)
    return "\n".join(lines).rstrip() + "\n"


def _indicator_table(c: Content) -> tuple[list[str], list[list]]:
    header = [
        _("Group"),
        _("People heard"),
        _("Share of the people heard"),
        _("Quotes"),
        _("Share of the quotes"),
        _("Distinct voices"),
        _("Tones"),
    ]
    rows = [
        [
            row.label,
            row.respondents,
            _percent(row.respondent_share),
            row.quotes,
            _percent(row.quote_share),
            format_value(row.distinct_voices, "number"),
            _tones(row.tones),
        ]
        for row in c.indicator.rows
    ]
    return header, rows


def _indicator_summary(c: Content) -> str:
    b = c.indicator.balance
    return _(
        "%(quotes)s quotes, %(voices)s distinct voices; %(critical)s of them critical, against %(corpus)s of "
        "all shared quotes in this scope."
    ) % {
        "quotes": b.quotes,
        "voices": format_value(b.distinct_voices, "number"),
        "critical": _percent(b.critical_share),
        "corpus": _percent(b.corpus_critical_share),
    }


def _hidden_note(c: Content) -> str:
    return _("Left out, fewer than 10 people heard: %(groups)s.") % {"groups": ", ".join(c.indicator.hidden)}


# --- CSV ------------------------------------------------------------------------------------------------


def csv_text(c: Content) -> str:
    """One sheet in parts (warnings, stories, indicator, learning points, figures), separated by an empty
    row; every cell through `safe_cell` (a quote starting with "=" is shown, not run)."""
    out: list[list] = [[c.report.title], [c.scope, c.period, c.creator_role], []]
    if c.warnings:
        out += [[_("Warning"), m] for m in c.warnings]
        if c.report.acknowledged_at:
            out.append([_("Warnings read, note"), c.report.acknowledged_note])
        out.append([])
    out.append([_("Selected stories")])
    out.append(
        [_("Story"), _("Group"), _("Role"), _("Tone"), _("Themes"), _("Month"), _("Why the panel chose it")]
    )
    for s in c.stories:
        out.append(
            [s.text, s.group, s.role, s.tone, ", ".join(s.themes), s.month.strftime("%Y-%m"), s.reason]
        )
    out.append([])
    header, rows = _indicator_table(c)
    out += [[_("Voice balance")], header, *rows, [_indicator_summary(c)], []]
    out.append([_("Learning points"), _("Theme"), _("Quotes"), _("Example")])
    for section in c.learning:
        for theme in section.themes:
            out.append([section.title, theme.theme, theme.count, " / ".join(theme.examples)])
    out.append([])
    for figure in c.figures:
        out.append([figure.title, figure.caption] if figure.caption else [figure.title])
        if figure.rows:
            out += list(csv_rows(figure))
        out.append([])
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([[safe_cell(v) for v in row] for row in out])
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------------------------


def pdf(c: Content) -> bytes:
    import weasyprint  # loads Pango: only when a PDF is actually made

    from maatwerk.businesscases.pdf import CSS_PATH

    html = render_to_string(
        "insights/stories/report_pdf.html",
        {
            "c": c,
            "indicator_table": _indicator_table(c),
            "indicator_summary": _indicator_summary(c),
            "hidden_note": _hidden_note(c) if c.indicator.hidden else "",
            "acknowledger_role": contents.acknowledger_role(c.report),
            "generated_at": timezone.localtime(),
        },
    )
    return weasyprint.HTML(string=html, base_url=str(CSS_PATH.parent)).write_pdf(
        stylesheets=[weasyprint.CSS(filename=str(CSS_PATH))]
    )


def export(report, *, by, fmt: str, request=None) -> tuple[bytes, str, str]:
    """(the file, its content type, its name). Http404 when the report is not visible to `by` or the
    format unknown; ExportBlocked while warnings are unread."""
    if fmt not in FORMATS:
        raise Http404(_("Not found, or not visible for you."))
    services.get_visible_or_404(by, report.pk)
    c = contents.build(report, by)
    if c.blocked:
        raise services.ExportBlocked(
            _("This report has warnings about its balance of voices: read them on its page first.")
        )
    if fmt == "pdf":
        body = pdf(c)
    elif fmt == "md":
        body = markdown(c).encode("utf-8")
    else:
        body = ("\ufeff" + csv_text(c)).encode("utf-8")
    services.log_export(report, by=by, fmt=fmt, request=request)
    return body, FORMATS[fmt], f"verslag-{report.pk}.{fmt}"
