"""Dashboard figures: a chart as safe SVG, its numbers in a Dutch table and a CSV, hidden cells never drawn.

No database: the figures are plain data, as the panels hand them over.
"""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from maatwerk.insights import charts
from maatwerk.insights.charts import Column, Figure
from maatwerk.lib.suppression import HIDDEN, SMALL

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def status_figure(**kwargs) -> Figure:
    rows = [
        {"status": "Open", "n": 1234},
        {"status": "Gesloten", "n": SMALL},
        {"status": "Nazorg", "n": 15},
        {"status": "Totaal", "n": 1260, "total": True},
    ]
    return Figure(
        slug="status",
        title="Zaken naar status",
        columns=[Column("status", "Status"), Column("n", "Zaken", "count")],
        rows=rows,
        chart=charts.bar("status", "n", x_title="Status", y_title="Zaken", **kwargs),
        caption="Zaken in de gekozen periode.",
    )


def net_figure(*, horizontal=False) -> Figure:
    return Figure(
        slug="net-by-kind",
        title="Netto per soort maatwerk",
        columns=[
            Column("kind", "Soort"),
            Column("n", "Huishoudens", "count"),
            Column("estimate", "Netto per huishouden", "money"),
            Column("low", "95%-interval", "interval", high="high", unit="money"),
            Column("chance", "Kans op winst", "percent"),
        ],
        rows=[
            {
                "kind": "Huurachterstand",
                "n": 120,
                "estimate": Decimal("1234.50"),
                "low": Decimal("-300"),
                "high": Decimal("2500"),
                "chance": 72.4,
            },
            {"kind": "Vervoer", "n": SMALL, "estimate": SMALL, "low": SMALL, "high": SMALL, "chance": SMALL},
            {
                "kind": "Schulden",
                "n": 45,
                "estimate": Decimal("-200"),
                "low": -900,
                "high": 400,
                "chance": 31,
            },
        ],  # fmt: skip
        chart=charts.interval(
            "kind", "estimate", "low", "high", x_title="Soort", y_title="Euro", horizontal=horizontal
        ),
    )


def month_figure(**chart) -> Figure:
    rows = [
        {"month": f"2026-{m:02d}", "opened": 10 + m, "closed": SMALL if m == 3 else 20 - m, "team": "A"}
        for m in range(1, 7)
    ]
    return Figure(
        slug="months",
        title="Nieuw en gesloten per maand",
        columns=[
            Column("month", "Maand", "month"),
            Column("opened", "Nieuw", "count"),
            Column("closed", "Gesloten", "count"),
        ],
        rows=rows,
        chart=chart or charts.line("month", ["opened", "closed"], x_title="Maand", y_title="Zaken"),
    )


def grouped_figure(*, stacked=False) -> Figure:
    rows = [
        {"group": g, "spend": s, "share": v}
        for g, s, v in [
            ("3 maanden", "met maatwerk", 12.5),
            ("3 maanden", "zonder", 20),
            ("12 maanden", "met maatwerk", HIDDEN),
            ("12 maanden", "zonder", 25),
        ]
    ]
    helper = charts.stacked_bar if stacked else charts.grouped_bar
    return Figure(
        slug="recurrence",
        title="Terugval",
        columns=[
            Column("group", "Moment"),
            Column("spend", "Groep"),
            Column("share", "Terug in problemen", "percent"),
        ],
        rows=rows,
        chart=helper("group", "share", by="spend", x_title="Moment", y_title="Aandeel"),
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def texts(svg: str) -> list[str]:
    return [el.text for el in parse(svg).iter(f"{SVG}text") if el.text]


FIGURES = {
    "bar": lambda: status_figure(),
    "horizontal bar": lambda: status_figure(horizontal=True),
    "grouped bar": lambda: grouped_figure(),
    "stacked bar": lambda: grouped_figure(stacked=True),
    "line, a series per field": lambda: month_figure(),
    "line, series by a category": lambda: month_figure(
        **charts.line("month", "opened", by="team", x_title="Maand", y_title="Zaken")
    ),
    "interval": lambda: net_figure(),
    "horizontal interval": lambda: net_figure(horizontal=True),
}


@pytest.mark.parametrize("kind", FIGURES)
def test_each_chart_kind_renders_a_labelled_svg(kind):
    figure = FIGURES[kind]()
    svg = str(charts.render_svg(figure))
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == figure.caption_id
    inner = [el for el in root.iter() if el is not root]
    assert not [el for el in inner if el.get("role") or any(n.startswith("aria-") for n in el.attrib)]
    assert root.find(f"{SVG}title").text == figure.title
    # Responsive: the viewBox gives the proportions, CSS the width.
    assert root.get("viewBox") and root.get("width") is None and root.get("height") is None
    assert len(list(root.iter(f"{SVG}path"))) > 3


@pytest.mark.parametrize("kind", FIGURES)
def test_svg_has_no_script_event_handlers_or_inline_style(kind):
    svg = str(charts.render_svg(FIGURES[kind]()))
    assert "<script" not in svg
    for element in parse(svg).iter():
        assert element.tag != f"{SVG}style"
        for name in element.attrib:
            assert name != "style"
            assert not name.lower().startswith("on")


def test_sanitiser_removes_script_handlers_style_and_foreign_links():
    dirty = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<script>alert(1)</script><style>rect{}</style><g onclick="alert(2)" style="fill:red">'
        '<a xlink:href="javascript:alert(3)"><text>Huur</text></a><use href="#ok"/></g>'
        "<foreignObject><div>x</div></foreignObject></svg>"
    )
    clean = ET.tostring(charts.sanitise_svg(dirty), encoding="unicode")
    assert "script" not in clean and "alert" not in clean and "style" not in clean
    assert "foreignObject" not in clean
    assert "Huur" in clean and 'href="#ok"' in clean
    with pytest.raises(ValueError):
        charts.sanitise_svg(
            '<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
        )


def test_text_from_the_rows_is_escaped_in_the_svg():
    figure = status_figure()
    figure.rows[0]["status"] = '<script>alert("x")</script>'
    figure.title = "Zaken & <b>status</b>"
    svg = str(charts.render_svg(figure))
    assert "<script" not in svg and "<b>" not in svg
    assert '<script>alert("x")</script>' in texts(svg)
    assert parse(svg).find(f"{SVG}title").text == "Zaken & <b>status</b>"


def test_estimate_without_an_interval_is_a_point_and_nothing_at_all_is_no_chart():
    figure = net_figure()
    figure.rows = [{"kind": "Alle zaken", "n": 2, "estimate": 40, "low": None, "high": None}]
    spec = charts.vega_lite(figure)
    assert spec["data"]["values"] == [{"c": "Alle zaken", "e": 40.0, "lo": None, "hi": None}]
    assert "<svg" in str(charts.render_svg(figure))
    figure.rows = [{"kind": "Alle zaken", "n": 1, "estimate": None, "low": None, "high": None}]
    assert "Geen grafiek" in str(charts.render_svg(figure))


def test_hidden_cell_is_not_plotted_as_zero_and_is_marked_in_the_chart():
    figure = status_figure()
    spec = charts.vega_lite(figure)
    values = {item["c"]: item["v"] for item in spec["data"]["values"]}
    # The category keeps its place on the axis, with no value to draw (not 0).
    assert values == {"Open": 1234.0, "Gesloten": None, "Nazorg": 15.0}
    assert spec["config"]["mark"]["invalid"] == "break-paths-show-domains"
    svg = str(charts.render_svg(figure))
    assert "Gesloten" in texts(svg)
    assert SMALL in texts(svg)  # said at the foot of the empty bar
    assert any("niet getekend" in str(note) for note in figure.all_notes())


def test_hidden_interval_is_marked_where_it_would_be():
    svg = str(charts.render_svg(net_figure(horizontal=True)))
    assert texts(svg).count(SMALL) == 1


def test_month_column_reads_as_a_dutch_month():
    html = render_to_string("insights/_figure.html", {"figure": month_figure()})
    assert '<th class="utrecht-table__header-cell" scope="row">maart 2026</th>' in html
    assert charts.format_value(date(2026, 10, 1), "month") == "oktober 2026"
    # The CSV keeps the sortable form.
    assert charts.csv_text(month_figure()).splitlines()[1].startswith("2026-01;")


def test_hidden_cells_are_shown_as_markers_in_table_and_csv():
    figure = grouped_figure()
    html = render_to_string("insights/_figure.html", {"figure": figure, "csv_url": "/x.csv"})
    assert '<td class="utrecht-table__cell mw-num ins-figure__hidden">x</td>' in html
    rows = list(csv.reader(io.StringIO(charts.csv_text(figure)), delimiter=";"))
    assert rows[0] == ["Moment", "Groep", "Terug in problemen"]
    assert rows[3] == ["12 maanden", "met maatwerk", HIDDEN]
    small = list(csv.reader(io.StringIO(charts.csv_text(status_figure())), delimiter=";"))
    assert small[2] == ["Gesloten", SMALL]


def test_hidden_month_breaks_the_line_instead_of_bridging_it():
    spec = charts.vega_lite(month_figure())
    closed = [item for item in spec["data"]["values"] if item["s"] == "Gesloten"]
    assert [item["c"] for item in closed][:3] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert closed[2]["v"] is None
    assert {item["s"] for item in spec["data"]["values"]} == {"Nieuw", "Gesloten"}


def test_total_rows_are_in_the_table_but_not_in_the_chart():
    figure = status_figure()
    assert "Totaal" not in json.dumps(charts.vega_lite(figure))
    html = render_to_string("insights/_figure.html", {"figure": figure})
    assert "ins-figure__total" in html and "Totaal" in html


@pytest.mark.parametrize("horizontal", [False, True])
def test_intervals_are_drawn_as_error_bars_around_a_point_with_a_zero_line(horizontal):
    spec = charts.vega_lite(net_figure(horizontal=horizontal))
    value = "x" if horizontal else "y"
    errorbar, point, zero, marker = spec["layer"]
    assert errorbar["mark"]["type"] == "errorbar"
    assert errorbar["encoding"][value]["field"] == "lo" and errorbar["encoding"][f"{value}2"]["field"] == "hi"
    assert point["mark"]["type"] == "point" and point["encoding"][value]["field"] == "e"
    assert zero["mark"]["type"] == "rule" and zero["data"]["values"] == [{"zero": 0}]
    assert marker["mark"]["type"] == "text" and marker["encoding"]["text"] == {"field": "m"}
    rows = {item["c"]: item for item in spec["data"]["values"]}
    assert (rows["Huurachterstand"]["lo"], rows["Huurachterstand"]["hi"]) == (-300.0, 2500.0)
    assert rows["Vervoer"]["e"] is None  # hidden, not drawn


def test_interval_without_negative_values_has_no_zero_line():
    figure = net_figure()
    figure.rows = [figure.rows[0] | {"low": 100, "estimate": 500}]
    assert [layer["mark"]["type"] for layer in charts.vega_lite(figure)["layer"]] == ["errorbar", "point"]


def test_table_and_axes_use_dutch_number_format():
    figure = net_figure()
    html = render_to_string("insights/_figure.html", {"figure": figure})
    assert ">€ 1.235<" in html  # whole euros
    assert ">€ -300 tot € 2.500<" in html
    assert ">72%<" in html
    assert '<th class="utrecht-table__header-cell mw-num" scope="col">Huishoudens</th>' in html
    assert '<th class="utrecht-table__header-cell" scope="row">Huurachterstand</th>' in html
    labels = texts(str(charts.render_svg(figure)))
    assert "€\xa02.500" in labels and "−€\xa0500" in labels
    count_labels = texts(str(charts.render_svg(status_figure())))
    assert "1.200" in count_labels and "1,200" not in count_labels
    month_labels = texts(str(charts.render_svg(month_figure())))
    assert "jan 2026" in month_labels and "mrt 2026" in month_labels


def test_number_column_in_dutch_with_grouping():
    assert charts.format_value(Decimal("12345.678"), "number") == "12.345,7"
    assert charts.format_value(3.25, "number", decimals=2) == "3,25"
    assert charts.format_value(None, "count") == "—"
    assert charts.format_value(float("nan"), "number") == "—"
    assert charts.format_value(SMALL, "money") == SMALL


def test_percent_axis_reads_percentages():
    spec = charts.vega_lite(grouped_figure())
    assert spec["layer"][0]["encoding"]["y"]["axis"]["format"] == ".0%"
    assert {item["v"] for item in spec["data"]["values"]} == {0.125, 0.2, None, 0.25}
    assert "25%" in texts(str(charts.render_svg(grouped_figure())))


def test_second_render_is_served_from_the_cache(monkeypatch):
    calls = []
    render = charts.vl_convert.vegalite_to_svg

    def counting(*args, **kwargs):
        calls.append(1)
        return render(*args, **kwargs)

    monkeypatch.setattr(charts.vl_convert, "vegalite_to_svg", counting)
    charts.cache_clear()
    first = charts.render_svg(status_figure())
    second = charts.render_svg(status_figure())
    assert first == second
    assert len(calls) == 1
    assert charts.cache_info().hits == 1
    # Other numbers are another chart.
    changed = status_figure()
    changed.rows[0]["n"] = 1235
    charts.render_svg(changed)
    assert len(calls) == 2


def test_empty_figure_says_no_data():
    figure = status_figure()
    figure.rows = []
    html = render_to_string("insights/_figure.html", {"figure": figure, "csv_url": "/x.csv"})
    assert "Geen gegevens" in html
    assert "<table" not in html and "<svg" not in html and "download" not in html
    assert "Geen gegevens" in str(charts.render_svg(figure))
    assert charts.vega_lite(figure) is None


def test_figure_with_every_cell_hidden_has_a_table_and_no_chart():
    figure = status_figure()
    figure.rows = [{"status": "Open", "n": SMALL}, {"status": "Gesloten", "n": HIDDEN}]
    html = render_to_string("insights/_figure.html", {"figure": figure})
    assert "<svg" not in html and "<table" in html
    assert "Geen grafiek" in html


def test_figure_template_links_its_caption_table_and_csv():
    figure = status_figure()
    html = render_to_string("insights/_figure.html", {"figure": figure, "csv_url": "/inzicht/status.csv"})
    assert '<figcaption class="ins-figure__caption" id="status-caption">' in html
    assert '<h3 class="utrecht-heading-3 ins-figure__title">Zaken naar status</h3>' in html
    assert 'aria-labelledby="status-caption"' in html
    assert '<table class="utrecht-table">' in html
    assert re.search(r"<caption[^>]*>Zaken naar status</caption>", html)
    assert re.search(r'<a class="utrecht-link" href="/inzicht/status.csv" download>CSV downloaden', html)
    assert "style=" not in html and "<script" not in html
    html = render_to_string("insights/_figure.html", {"figure": figure, "heading_level": 2})
    assert '<h2 class="utrecht-heading-2 ins-figure__title">Zaken naar status</h2>' in html


def test_csv_response_is_semicolon_utf8_with_bom_and_escapes_formulas():
    figure = net_figure()
    figure.rows[0]["kind"] = "=HYPERLINK(1)"
    response = charts.csv_response(figure, "netto per soort")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="netto-per-soort.csv"'
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0] == [
        "Soort", "Huishoudens", "Netto per huishouden", "95%-interval (ondergrens)",
        "95%-interval (bovengrens)", "Kans op winst",
    ]  # fmt: skip
    assert rows[1] == ["'=HYPERLINK(1)", "120", "1234.50", "-300.00", "2500.00", "72.4"]
    assert rows[2] == ["Vervoer", SMALL, SMALL, SMALL, SMALL, SMALL]


def test_english_page_gets_english_number_format():
    with translation.override("en"):
        labels = texts(str(charts.render_svg(status_figure())))
        assert "1,200" in labels
        assert charts.format_value(Decimal("1234.5"), "money") == "€1,235"


def test_row_fields_with_dots_are_drawn():
    figure = Figure(
        "dots", "Punten", [Column("a.b", "A"), Column("n.v", "N", "count")], [{"a.b": "x", "n.v": 3}],
        charts.bar("a.b", "n.v", x_title="A", y_title="N"),
    )  # fmt: skip
    assert charts.vega_lite(figure)["data"]["values"] == [{"c": "x", "v": 3.0}]


STYLES = [
    "vendor/utrecht/design-tokens/theme.css",
    "vendor/utrecht/component-library-css/index.css",
    "maatwerk/app.css",
    "insights/insights.css",
]


@pytest.mark.browser
def test_figures_pass_axe_and_fit_wide_and_narrow_screens(browser):
    from django.contrib.staticfiles import finders

    from maatwerk.accounts.tests.test_accessibility import axe_violations, report, wider_than_viewport

    figures = [status_figure(), net_figure(horizontal=True), month_figure(), grouped_figure()]
    body = "".join(
        render_to_string("insights/_figure.html", {"figure": f, "csv_url": f"/{f.slug}.csv"}) for f in figures
    )
    page = browser.new_page()
    try:
        page.set_content(
            '<!DOCTYPE html><html lang="nl" class="utrecht-document utrecht-theme"><head><title>Figuren'
            '</title></head><body class="utrecht-body"><main class="mw-main"><h1>Figuren</h1>'
            f"{body}</main></body></html>"
        )
        for path in STYLES:
            page.add_style_tag(path=finders.find(path))
        page.add_script_tag(path=finders.find("maatwerk/app.js"))
        page.evaluate("() => enhance(document)")  # the content came after DOMContentLoaded
        for size, side_by_side in (
            ({"width": 1280, "height": 800}, True),
            ({"width": 320, "height": 640}, False),
        ):
            page.set_viewport_size(size)
            page.evaluate(
                "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
            )
            violations = axe_violations(page)
            assert not violations, report(violations)
            assert not wider_than_viewport(page)
            chart = page.locator("#status .ins-figure__chart").bounding_box()
            table = page.locator("#status .ins-figure__table").bounding_box()
            if side_by_side:
                assert chart["x"] + chart["width"] <= table["x"]
            else:
                assert table["y"] >= chart["y"] + chart["height"]
            # A table of five columns goes below its chart on every screen.
            chart = page.locator("#net-by-kind .ins-figure__chart").bounding_box()
            table = page.locator("#net-by-kind .ins-figure__table").bounding_box()
            assert table["y"] >= chart["y"] + chart["height"]
    finally:
        page.close()


def test_small_counts_get_whole_number_ticks_once_each():
    figure = Figure(
        slug="few",
        title="Weinig",
        columns=[Column("grade", "Cijfer"), Column("n", "Aantal", "count")],
        rows=[{"grade": "8", "n": 1}, {"grade": "9", "n": 2}],
        chart=charts.bar("grade", "n", x_title="Cijfer", y_title="Aantal"),
    )
    with translation.override("nl"):
        svg = str(charts.render_svg(figure))
    ticks = re.findall(r">(\d+)</text>", svg)
    numbers = [t for t in ticks if t not in ("8", "9")]
    assert numbers == sorted(set(numbers), key=int)
    assert set(numbers) == {"0", "1", "2"}


def test_svg_keeps_its_tags_whatever_other_libraries_register_in_elementtree():
    # sepaxml, xmlschema and WeasyPrint register namespaces in ElementTree's process-wide map; a default
    # namespace registered there must not turn the chart's tags into "ns0:rect".
    ET.register_namespace("", "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03")
    figure = Figure(
        slug="ns",
        title="Namespaces",
        columns=[Column("c", "C"), Column("n", "N", "count")],
        rows=[{"c": "a", "n": 12}],
        chart=charts.bar("c", "n", x_title="C", y_title="N"),
    )
    svg = str(charts.render_svg(figure))
    assert svg.startswith("<svg") and "ns0:" not in svg
    assert ET.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"  # noqa: S314 (our own output)
