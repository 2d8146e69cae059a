"""A dashboard panel as a figure: its numbers in a table, the same numbers as a chart, and a CSV (issue #12,
"charts people can read"). Presentation only: the panels compute the rows, this module shows them.

Charts are Vega-Lite specifications rendered to SVG on the server by vl-convert (the CSP allows no inline
script, so no chart library runs in the browser). A library instead of hand-written SVG because axes, ticks,
legends, label placement and the Dutch number and month formats are exactly what it does well; the cost,
measured, is ~0.3 s once per process (the JavaScript runtime starting) and ~15 ms per chart after that,
and a chart already drawn is served from an in-process cache (`render_svg`).

Hidden cells (`suppression.SMALL` "<10" and `suppression.HIDDEN` "x") are shown as such in the table and
the CSV and are never drawn: a bar of 0 would tell a reader there is nothing there, which is exactly what
the marker must not say. Their category keeps its place on the axis with no mark, and a note says why.
"""

import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import vl_convert
from django.http import HttpResponse
from django.utils import dateformat
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from maatwerk.lib.exports import money_cell, safe_cell
from maatwerk.lib.money import format_eur, to_decimal
from maatwerk.lib.suppression import HIDDEN, SMALL

KINDS = ("text", "month", "count", "money", "number", "percent", "interval")
MARKERS = (SMALL, HIDDEN)

# Okabe & Ito's palette for colour-blind readers (2008), without its yellow (too light on white); the
# first colour, blue, is the one of single-series charts. Categories beyond seven repeat colours, so a
# chart should not split by more (the table carries the detail).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]
TEXT = "#1a1a1a"  # labels and titles: 17:1 on white (WCAG AA asks 4.5:1)
RULE = "#595959"  # axis lines and the zero line: 7:1 on white
GRID = "#dddddd"

# d3-format strings for the axes, by column kind (the nl-NL locale makes them "1.234,5" and "€ 1.234").
AXIS_FORMAT = {"count": ",d", "money": "$,.0f", "number": ",.1~f", "percent": ".0%"}  # percent: of a fraction
# Decimals in the table, by kind, unless the column says otherwise.
DECIMALS = {"count": 0, "money": 0, "number": 1, "percent": 0}
VEGA_LOCALES = {"nl": "nl-NL", "en": "en-US"}
# The SVG scales with its column; drawn at this width, its 13 px text is still ~9 px on a 320 px phone
# (the table beside it has the same numbers in the page's own size).
WIDTH = 460
FONT_SIZE = 13
CACHE_SIZE = 256

NO_DATA = _("No data")
NOTHING_TO_DRAW = _("No chart: every figure in the table is hidden or empty.")


@dataclass
class Column:
    """One column of a figure's table. `kind`: text, month (a date or "YYYY-MM", shown as "januari 2026"),
    count, money, number, percent (in percent: 42 is 42 %) or interval. An interval column shows
    ``row[key]`` to ``row[high]`` in its `unit` (money, number, percent), e.g. "€ 800 tot € 1.600"; its CSV
    has a low and a high column."""

    key: str
    label: str
    kind: str = "text"
    decimals: int | None = None
    high: str = ""
    unit: str = "number"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.kind == "interval" and not self.high:
            raise ValueError("an interval column needs the key of its high end (high=...)")

    @property
    def numeric(self) -> bool:
        return self.kind not in ("text", "month")


@dataclass
class Figure:
    """One panel: a table (columns x rows) and a chart of the same rows (a dict from `bar`, `grouped_bar`,
    `line` or `interval`, or None for a table only). Row values are numbers, Decimals, None, text, or the
    markers "<10" and "x" of hidden cells."""

    slug: str
    title: str
    columns: list[Column]
    rows: list[dict]
    chart: dict | None = None
    caption: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def caption_id(self) -> str:
        return f"{self.slug}-caption"

    @property
    def empty(self) -> bool:
        return not self.rows

    def svg(self) -> SafeString:
        return render_svg(self)

    def table(self) -> list[dict]:
        """The rows for the template: ``{"cells": [{"text", "numeric", "hidden"}, ...], "total": bool}``."""
        return [
            {"cells": [cell(row.get(c.key), c, row) for c in self.columns], "total": bool(row.get("total"))}
            for row in self.rows
        ]

    def all_notes(self) -> list[str]:
        notes = list(self.notes)
        if self.chart and hidden_in_chart(self):
            notes.append(
                gettext(
                    "Hidden cells (“<10”: fewer than 10 households; “x”: hidden so that they cannot be "
                    "worked out) are not drawn; the table shows them."
                )
            )
        return notes


# --- Table cells ------------------------------------------------------------------------------------------


def is_hidden(value) -> bool:
    return isinstance(value, str) and value in MARKERS


def _number(value) -> float | None:
    """A value the chart can draw, or None (empty, hidden, text, NaN)."""
    if value is None or isinstance(value, (bool, str)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_value(value, kind: str, decimals: int | None = None) -> str:
    """A value as the table shows it in the active language: "1.234", "€ 1.234", "42%", "3,5"; a hidden
    cell as its marker, an empty one as "—"."""
    if value is None or value == "":
        return "—"
    if kind == "month":
        return _month_name(value)
    if isinstance(value, str) or kind == "text":
        return str(value)
    places = DECIMALS.get(kind, 1) if decimals is None else decimals
    language = get_language() or "nl"
    if kind == "money":
        return format_eur(value, language, decimals=places)
    if _number(value) is None:
        return "—"  # NaN or infinity: shown as empty, never a crash
    # Django's number_format cuts off decimals; round half up first (as money is rounded).
    number = to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = number_format(number, places, use_l10n=True, force_grouping=True)
    return text + "%" if kind == "percent" else text


def _month_name(value) -> str:
    """ "januari 2026" from a date or "2026-01"; any other text as it is."""
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{4})-(\d{2})(?:-\d{2})?", value)
        if not match:
            return value
        value = date(int(match[1]), int(match[2]), 1)
    return dateformat.format(value, "F Y")


def cell(value, column: Column, row: dict) -> dict:
    hidden = is_hidden(value)
    if column.kind == "interval":
        high = row.get(column.high)
        if hidden or is_hidden(high):
            text = value if hidden else high
            hidden = True
        elif value is None or high is None:
            text = "—"
        else:
            text = gettext("%(low)s to %(high)s") % {
                "low": format_value(value, column.unit, column.decimals),
                "high": format_value(high, column.unit, column.decimals),
            }
    else:
        text = format_value(value, column.kind, column.decimals)
    return {"text": text, "numeric": column.numeric, "hidden": hidden}


# --- Chart descriptions (what the panels call) ----------------------------------------------------------


def bar(x: str, y: str, *, x_title: str, y_title: str, horizontal: bool = False, color: str | None = None):
    """Bars of `y` per category `x` (in row order); `color` a fixed colour (default the palette's blue)."""
    return {"kind": "bar", "x": x, "y": y, "x_title": x_title, "y_title": y_title,
            "horizontal": horizontal, "color": color, "by": None, "stacked": False}  # fmt: skip


def grouped_bar(
    x: str,
    y: str,
    *,
    by: str,
    x_title: str,
    y_title: str,
    by_title: str = "",
    horizontal=False,
    stacked=False,
):
    """Bars of `y` per category `x`, split by the category `by`: side by side, or stacked."""
    return {"kind": "bar", "x": x, "y": y, "x_title": x_title, "y_title": y_title, "by": by,
            "by_title": by_title, "horizontal": horizontal, "color": None, "stacked": stacked}  # fmt: skip


def stacked_bar(x: str, y: str, *, by: str, x_title: str, y_title: str, by_title: str = "", horizontal=False):
    return grouped_bar(x, y, by=by, x_title=x_title, y_title=y_title, by_title=by_title,
                       horizontal=horizontal, stacked=True)  # fmt: skip


def line(x: str, y, *, x_title: str, y_title: str, by: str | None = None, by_title: str = ""):
    """A per-month series: `x` holds dates or "YYYY-MM". Several series either as a list of fields in
    `y` (one line per field, named by its column label) or as one field `y` split by the category `by`."""
    return {"kind": "line", "x": x, "y": y, "x_title": x_title, "y_title": y_title, "by": by,
            "by_title": by_title}  # fmt: skip


def interval(
    x: str, estimate: str, low: str, high: str, *, x_title: str, y_title: str, horizontal: bool = False,
    by: str | None = None, by_title: str = "",
):  # fmt: skip
    """Estimates with their 95 % interval per category `x`: a point on an error bar from `low` to `high`,
    with a zero line when any value is negative. `horizontal`: categories down the side (long labels)."""
    return {"kind": "interval", "x": x, "estimate": estimate, "low": low, "high": high, "x_title": x_title,
            "y_title": y_title, "horizontal": horizontal, "by": by, "by_title": by_title}  # fmt: skip


# --- Vega-Lite --------------------------------------------------------------------------------------------

# The chart's data use fixed field names: a row's own keys may hold dots or brackets, which Vega-Lite
# would read as nested fields.
CAT, SERIES, VALUE, EST, LOW, HIGH, MARK = "c", "s", "v", "e", "lo", "hi", "m"


def _measures(chart: dict) -> list[str]:
    if chart["kind"] == "interval":
        return [chart["estimate"], chart["low"], chart["high"]]
    return list(chart["y"]) if isinstance(chart["y"], (list, tuple)) else [chart["y"]]


def drawn_rows(figure: Figure) -> list[dict]:
    """The rows the chart draws: not the total rows (``"total": True``), which would dwarf the others."""
    return [row for row in figure.rows if not row.get("total")]


def hidden_in_chart(figure: Figure) -> bool:
    measures = _measures(figure.chart)
    return any(is_hidden(row.get(key)) for row in drawn_rows(figure) for key in measures)


def _column(figure: Figure, key: str) -> Column | None:
    for column in figure.columns:
        if column.key == key or (column.kind == "interval" and column.high == key):
            return column
    return None


def _kind_of(figure: Figure, key: str) -> str:
    column = _column(figure, key)
    if column is None:
        return "number"
    return column.unit if column.kind == "interval" else column.kind


def _plotted(figure: Figure, key: str, value) -> float | None:
    """A measure as the chart draws it: a float, a percentage as a fraction (the axis formats it), None
    for a hidden or empty cell (Vega-Lite leaves it out, see `invalid` in CONFIG)."""
    number = _number(value)
    if number is not None and _kind_of(figure, key) == "percent":
        number /= 100
    return number


def _label(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _month(value) -> str:
    """A month for the time axis as an ISO date, which Vega reads as UTC midnight (the axis is UTC too, so
    no time zone shifts a month into the one before)."""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-01")
    text = str(value)
    return text + "-01" if re.fullmatch(r"\d{4}-\d{2}", text) else text


def chart_data(figure: Figure) -> list[dict]:
    chart = figure.chart
    data = []
    for row in drawn_rows(figure):
        if chart["kind"] == "interval":
            item = {CAT: _label(row.get(chart["x"]))}
            for name, key in ((EST, chart["estimate"]), (LOW, chart["low"]), (HIGH, chart["high"])):
                item[name] = _plotted(figure, key, row.get(key))
            if is_hidden(row.get(chart["estimate"])):
                item[MARK] = row[chart["estimate"]]
        else:
            x = row.get(chart["x"])
            item = {CAT: _month(x) if chart["kind"] == "line" else _label(x)}
        if chart.get("by"):
            item[SERIES] = _label(row.get(chart["by"]))
        if chart["kind"] == "interval":
            data.append(item)
        elif isinstance(chart["y"], (list, tuple)):
            # Several measures of a row become several series, named by their column labels.
            for key in chart["y"]:
                column = _column(figure, key)
                label = str(column.label) if column else key
                data.append({**item, SERIES: label, VALUE: _plotted(figure, key, row.get(key))})
        else:
            value = row.get(chart["y"])
            marker = {MARK: value} if is_hidden(value) else {}
            data.append({**item, VALUE: _plotted(figure, chart["y"], value), **marker})
    return data


def _axis(figure: Figure, key: str) -> dict:
    kind = _kind_of(figure, key)
    axis = {"format": AXIS_FORMAT.get(kind, ",.1~f")}
    if kind == "count":
        axis["tickMinStep"] = 1
        # vl-convert's Vega still puts ticks at halves for small counts ("0 1 1 2 2" once formatted as
        # whole numbers): give the whole numbers themselves.
        values = [v for row in drawn_rows(figure) if (v := _plotted(figure, key, row.get(key))) is not None]
        if values and 0 <= max(values) <= 10:
            axis["values"] = list(range(0, int(max(values)) + 1))
    return axis


def _title(text) -> str | None:
    return str(text) if text else None


def _series(chart: dict) -> bool:
    return bool(chart.get("by")) or isinstance(chart.get("y"), (list, tuple))


def _color(chart: dict) -> dict:
    if not _series(chart):
        return {}
    return {
        "color": {
            "field": SERIES,
            "type": "nominal",
            "sort": None,
            "title": _title(chart.get("by_title")),
            "scale": {"range": PALETTE},
        }
    }


def _bar_layers(figure: Figure, chart: dict, data: list[dict]) -> tuple[list, dict]:
    cat, val = ("y", "x") if chart["horizontal"] else ("x", "y")
    measure = _measures(chart)[0]
    encoding = {
        cat: {
            "field": CAT,
            "type": "nominal",
            "sort": None,
            "title": _title(chart["x_title"]),
            "axis": {"labelAngle": 0} if cat == "x" else {},
        },  # fmt: skip
        val: {
            "field": VALUE,
            "type": "quantitative",
            "title": _title(chart["y_title"]),
            "axis": _axis(figure, measure),
            "stack": "zero" if chart["stacked"] else None,
        },  # fmt: skip
        **_color(chart),
    }
    if _series(chart) and not chart["stacked"]:
        encoding[f"{cat}Offset"] = {"field": SERIES, "type": "nominal", "sort": None}
    mark = {"type": "bar"}
    if not _series(chart):
        mark["color"] = chart["color"] or PALETTE[0]
    size = {"height": {"step": 26}, "width": WIDTH - 160} if chart["horizontal"] else {"width": WIDTH}
    layers = [{"mark": mark, "encoding": encoding}]
    if not chart["stacked"] and any(MARK in item for item in data):
        # A hidden cell's place says "<10" (or "x") at the foot of its empty bar, so no one reads it as 0.
        marker = {k: v for k, v in encoding.items() if k != val and k != "color"}
        foot = {"align": "left", "dx": 4} if chart["horizontal"] else {"baseline": "bottom", "dy": -3}
        layers.append(
            {
                "transform": [{"filter": f"isValid(datum.{MARK})"}],
                "mark": {"type": "text", "color": TEXT, "fontSize": FONT_SIZE, **foot},
                "encoding": {**marker, val: {"datum": 0, "type": "quantitative"}, "text": {"field": MARK}},
            }
        )
    return layers, size


def _line_layers(figure: Figure, chart: dict) -> tuple[list, dict]:
    encoding = {
        "x": {
            "field": CAT,
            "type": "temporal",
            "timeUnit": "utcyearmonth",
            "title": _title(chart["x_title"]),
            "axis": {"format": "%b %Y", "labelAngle": -40},
        },  # fmt: skip
        "y": {
            "field": VALUE,
            "type": "quantitative",
            "title": _title(chart["y_title"]),
            "axis": _axis(figure, _measures(chart)[0]),
        },  # fmt: skip
        **_color(chart),
    }
    # Points as well as the line, so a single month, or one between two hidden ones, is still seen.
    mark = {"type": "line", "point": True}
    if not _series(chart):
        mark["color"] = PALETTE[0]
    return [{"mark": mark, "encoding": encoding}], {"width": WIDTH}


def _zero_rule(channel: str) -> dict:
    return {
        "data": {"values": [{"zero": 0}]},
        "mark": {"type": "rule", "color": RULE, "strokeDash": [4, 3], "strokeWidth": 1.5},
        "encoding": {channel: {"field": "zero", "type": "quantitative"}},
    }


def _negative(data: list[dict], fields) -> bool:
    return any(item.get(f) is not None and item[f] < 0 for item in data for f in fields)


def _interval_layers(figure: Figure, chart: dict, data: list[dict]) -> tuple[list, dict]:
    cat, val = ("y", "x") if chart["horizontal"] else ("x", "y")
    category = {"field": CAT, "type": "nominal", "sort": None, "title": _title(chart["x_title"])}
    if cat == "x":
        category["axis"] = {"labelAngle": 0}
    shared = {cat: category, **_color(chart)}
    if _series(chart):
        shared[f"{cat}Offset"] = {"field": SERIES, "type": "nominal", "sort": None}
    fixed = {} if _series(chart) else {"color": PALETTE[0]}
    value = {
        "type": "quantitative",
        "title": _title(chart["y_title"]),
        "axis": _axis(figure, chart["estimate"]),
    }
    layers = [
        {
            "mark": {"type": "errorbar", "ticks": {"size": 14, "opacity": 1}, "thickness": 2, **fixed},
            "encoding": {**shared, val: {"field": LOW, **value}, f"{val}2": {"field": HIGH}},
        },
        {
            "mark": {"type": "point", "filled": True, "size": 70, "opacity": 1, **fixed},
            "encoding": {**shared, val: {"field": EST, **value}},
        },
    ]
    if _negative(data, (EST, LOW, HIGH)):
        layers.append(_zero_rule(val))
    height = 260
    if any(MARK in item for item in data):
        # "<10" or "x" where the hidden estimate would be, at the start of the value axis.
        position = {"x": {"value": 4}} if chart["horizontal"] else {"y": {"value": height - 4}}
        foot = {"align": "left"} if chart["horizontal"] else {"baseline": "bottom"}
        marker = {k: v for k, v in shared.items() if k != "color"}
        layers.append(
            {
                "transform": [{"filter": f"isValid(datum.{MARK})"}],
                "mark": {"type": "text", "color": TEXT, "fontSize": FONT_SIZE, **foot},
                "encoding": {**marker, **position, "text": {"field": MARK}},
            }
        )
    if chart["horizontal"]:
        return layers, {"height": {"step": 32}, "width": WIDTH - 100}
    return layers, {"width": {"step": 90} if len(data) > 4 else WIDTH - 160, "height": height}


CONFIG = {
    "aria": False,  # the whole SVG is one image labelled by the figure's caption; the table has the numbers
    "background": "white",
    "font": "sans-serif",
    "padding": 8,
    # Hidden and empty measures are not drawn, but their category or month keeps its place on the axis
    # and a line breaks there instead of bridging the gap as if the value were known.
    "mark": {"invalid": "break-paths-show-domains"},
    "axis": {
        "labelColor": TEXT,
        "titleColor": TEXT,
        "labelFontSize": FONT_SIZE,
        "titleFontSize": FONT_SIZE,
        "domainColor": RULE,
        "tickColor": RULE,
        "gridColor": GRID,
        "labelLimit": 220,
        "titleFontWeight": "normal",
    },  # fmt: skip
    "legend": {
        "labelColor": TEXT,
        "titleColor": TEXT,
        "labelFontSize": FONT_SIZE,
        "titleFontSize": FONT_SIZE,
        # One entry a line: Vega measures the labels in its own font, the browser may draw them wider, and
        # entries side by side would then overlap.
        "orient": "bottom",
        "direction": "vertical",
    },
    "view": {"stroke": None},
}


def vega_lite(figure: Figure) -> dict | None:
    """The figure's chart as a Vega-Lite specification, or None when it has nothing to draw."""
    chart = figure.chart
    if not chart:
        return None
    data = chart_data(figure)
    if not any(v is not None for item in data for k, v in item.items() if k in (VALUE, EST, LOW, HIGH)):
        return None
    if chart["kind"] == "bar":
        layers, size = _bar_layers(figure, chart, data)
        if _negative(data, (VALUE,)):
            layers.append(_zero_rule("x" if chart["horizontal"] else "y"))
    elif chart["kind"] == "line":
        layers, size = _line_layers(figure, chart)
    elif chart["kind"] == "interval":
        layers, size = _interval_layers(figure, chart, data)
    else:
        raise ValueError(f"unknown chart kind {chart['kind']!r}")
    return {"config": CONFIG, **size, "data": {"values": data}, "layer": layers}


# --- SVG --------------------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Elements that could run script or pull in HTML; Vega writes none of them, but the check is cheap.
UNSAFE_TAGS = {"script", "foreignObject", "iframe", "object", "embed", "handler", "listener"}


def sanitise_svg(svg: str) -> ET.Element:
    """Parse the SVG and drop what the CSP (no inline script, `style-src 'self'`) would refuse or what could
    run: script-like elements, event handler (on*) attributes, style attributes and elements, links that are
    not fragments."""
    if "<!" in svg:
        # vl-convert writes no DOCTYPE, entity or CDATA; refusing them keeps expat away from entity tricks.
        raise ValueError("unexpected markup declaration in the rendered SVG")
    root = ET.fromstring(svg)  # noqa: S314 (vl-convert's output of our own specification, checked above)
    for parent in root.iter():
        for child in list(parent):
            if child.tag.rpartition("}")[2] in UNSAFE_TAGS | {"style"}:
                parent.remove(child)
    for element in root.iter():
        for name in list(element.attrib):
            local = name.rpartition("}")[2].lower()
            value = element.attrib[name]
            if local.startswith("on") or local == "style":
                del element.attrib[name]
            elif local == "href" and not value.startswith("#"):
                del element.attrib[name]
    return root


@lru_cache(maxsize=CACHE_SIZE)
def _render(spec_json: str, locale: str, label_id: str, title: str) -> str:
    svg = vl_convert.vegalite_to_svg(spec_json, format_locale=locale, time_format_locale=locale)
    root = sanitise_svg(svg)
    # Width from the page (CSS max-width: 100%), height from the aspect ratio of the viewBox.
    root.attrib.pop("width", None)
    root.attrib.pop("height", None)
    # One image to assistive technology, named by the figure's caption (the table beside it has the
    # numbers): Vega's roles and labels of the marks inside would make axe and screen readers see an
    # image made of unnamed images.
    for element in root.iter():
        for name in [n for n in element.attrib if n == "role" or n.startswith("aria-")]:
            del element.attrib[name]
    root.set("class", "ins-figure__svg")
    root.set("role", "img")
    root.set("aria-labelledby", label_id)
    root.set("focusable", "false")
    title_element = ET.Element(f"{{{SVG_NS}}}title")
    title_element.text = title
    root.insert(0, title_element)
    return _serialise(root)


def _serialise(root: ET.Element) -> str:
    """The SVG as text with its namespaces written out by hand. ElementTree's prefix map is process-wide
    and other libraries (sepaxml, xmlschema, WeasyPrint...) register their own default namespace in it,
    which would turn every tag into "ns0:rect"; plain tags with an xmlns attribute do not depend on it."""
    svg, xlink = f"{{{SVG_NS}}}", f"{{{XLINK_NS}}}"
    uses_xlink = False
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(svg):
            element.tag = element.tag[len(svg) :]
        for name in [n for n in element.attrib if n.startswith(xlink)]:
            element.attrib["xlink:" + name[len(xlink) :]] = element.attrib.pop(name)
            uses_xlink = True
    root.set("xmlns", SVG_NS)
    if uses_xlink:
        root.set("xmlns:xlink", XLINK_NS)
    return ET.tostring(root, encoding="unicode")


def render_svg(figure: Figure) -> SafeString:
    """The chart as inline SVG, or a "No data" paragraph when there is nothing to draw. Cached in the
    process by specification, language and label, so a reload does not render again."""
    spec = vega_lite(figure)
    if spec is None:
        message = NOTHING_TO_DRAW if figure.rows and figure.chart else NO_DATA
        return format_html('<p class="utrecht-paragraph ins-figure__empty">{}</p>', message)
    language = (get_language() or "nl").split("-")[0]
    locale = VEGA_LOCALES.get(language, "nl-NL")
    spec_json = json.dumps(spec, sort_keys=True, default=str)
    return mark_safe(_render(spec_json, locale, figure.caption_id, str(figure.title)))  # noqa: S308 (sanitised above)


def warm_up() -> None:
    """Start vl-convert's JavaScript runtime (~0.3 s, once per process), e.g. when a worker starts, so
    that the first dashboard of the day does not pay for it."""
    vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{}]}}, format_locale="nl-NL")


def cache_info():
    return _render.cache_info()


def cache_clear():
    _render.cache_clear()


# --- CSV --------------------------------------------------------------------------------------------------


def _csv_value(value, kind: str):
    if is_hidden(value):
        return value
    if kind == "money" and value is not None and not isinstance(value, str):
        return money_cell(value)
    return safe_cell(value)


def csv_rows(figure: Figure) -> Iterable[list]:
    """The header and the rows as CSV cells: typed numbers with a decimal point (as the other exports),
    hidden cells as "<10" / "x", an interval as two columns (low, high)."""
    header = []
    for c in figure.columns:
        if c.kind == "interval":
            header += [
                gettext("%(label)s (low)") % {"label": c.label},
                gettext("%(label)s (high)") % {"label": c.label},
            ]
        else:
            header.append(str(c.label))
    yield [safe_cell(h) for h in header]
    for row in figure.rows:
        out = []
        for c in figure.columns:
            if c.kind == "interval":
                out += [_csv_value(row.get(c.key), c.unit), _csv_value(row.get(c.high), c.unit)]
            else:
                out.append(_csv_value(row.get(c.key), c.kind))
        yield out


def csv_text(figure: Figure) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows(csv_rows(figure))
    return buffer.getvalue()


SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def csv_response(figure: Figure, filename: str) -> HttpResponse:
    """The figure as a download: `;`-separated UTF-8 with a BOM (so that Excel reads the characters right),
    like the barrier export."""
    name = SAFE_FILENAME.sub("-", filename).strip("-") or figure.slug
    if not name.endswith(".csv"):
        name += ".csv"
    response = HttpResponse("\ufeff" + csv_text(figure), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
