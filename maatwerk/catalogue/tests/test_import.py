"""`maatwerk catalogue import FILE`: every row is validated and one bad row means nothing is imported."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from maatwerk.accounts.models import AccessLog
from maatwerk.catalogue.importer import COLUMNS
from maatwerk.catalogue.models import CostItem, PriceIndex

DATA = Path(__file__).resolve().parents[1] / "data"
SHARED_SEED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "kengetallen.csv"

GOOD = {
    "code": "TEST_BEWIND",
    "name_nl": "Beschermingsbewind per maand",
    "name_en": "Protective administration per month",
    "amount_eur": "123.45",
    "per": "month",
    "unit_note": "per month",
    "year": "2024",
    "payer": "gemeente",
    "domain": "financien",
    "confidence": "B",
    "source": "https://example.org/bewind",
}


def rows_with(*changes: dict) -> list[dict]:
    out = []
    for i, change in enumerate(changes):
        row = dict(GOOD, code=f"TEST_ITEM_{i}")
        row.update(change)
        out.append(row)
    return out


def write_csv(path: Path, rows: list[dict], header=COLUMNS) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[dict], numeric=True) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for row in rows:
        values = [row[c] for c in COLUMNS]
        if numeric:  # as a spreadsheet user would type them: numbers, not text
            values[COLUMNS.index("amount_eur")] = (
                float(row["amount_eur"]) if _is_number(row["amount_eur"]) else row["amount_eur"]
            )
            values[COLUMNS.index("year")] = int(row["year"]) if row["year"].isdigit() else row["year"]
        ws.append(values)
    wb.save(path)
    return path


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def run_import(path: Path, *args) -> str:
    out = io.StringIO()
    with translation.override("nl"):
        call_command("catalogue", "import", str(path), *args, stdout=out)
    return out.getvalue()


def import_error(path: Path) -> str:
    with translation.override("nl"), pytest.raises(CommandError) as exc:
        call_command("catalogue", "import", str(path), stdout=io.StringIO())
    return str(exc.value)


# The seed ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_catalogue_has_every_row_of_kengetallen_csv():
    with open(DATA / "kengetallen.csv", encoding="utf-8", newline="") as fh:
        seed = list(csv.DictReader(fh))
    assert len(seed) == 41
    assert CostItem.objects.count() >= len(seed)
    for row in seed:
        item = CostItem.objects.get(code=row["code"])
        assert item.name_nl == row["name_nl"]
        assert item.amount == Decimal(row["amount_eur"])
        assert (item.per, item.year, item.payer, item.domain, item.confidence) == (
            row["per"],
            int(row["year"]),
            row["payer"],
            row["domain"],
            row["confidence"],
        )
        assert item.source_url == row["source"]


def test_repo_seed_is_the_shared_seed():
    if not SHARED_SEED.exists():
        pytest.skip("no ../shared checkout next to the repository")
    assert (DATA / "kengetallen.csv").read_bytes() == SHARED_SEED.read_bytes()


@pytest.mark.django_db
def test_price_index_is_loaded_with_sources_and_2026_is_an_estimate():
    years = dict(PriceIndex.objects.values_list("year", "index"))
    assert set(range(2005, 2027)) <= set(years)
    assert years[2015] == Decimal("100.00")
    assert PriceIndex.objects.get(year=2026).status == PriceIndex.Status.ESTIMATE
    assert not PriceIndex.objects.filter(source="").exists()


@pytest.mark.django_db
def test_the_seed_file_itself_passes_the_importer():
    assert "0 nieuw, 0 bijgewerkt, 41 ongewijzigd" in run_import(DATA / "kengetallen.csv")


# Refusing a bad file ------------------------------------------------------------------------------


BAD_ROWS = [
    ({"amount_eur": "-5"}, "amount_eur", "negatief"),
    ({"amount_eur": "12,50"}, "amount_eur", "geen bedrag"),
    ({"amount_eur": "1.005"}, "amount_eur", "twee decimalen"),
    ({"per": "week"}, "per", "niet toegestaan"),
    ({"year": "1850"}, "year", "tussen 1990 en 2100"),
    ({"year": "twintig"}, "year", "geen jaartal"),
    ({"confidence": "D"}, "confidence", "niet toegestaan"),
    ({"payer": "buurman"}, "payer", "niet toegestaan"),
    ({"domain": "ruimtevaart"}, "domain", "niet toegestaan"),
    ({"source": "ftp://example.org/x"}, "source", "webadres"),
    ({"source": "niet een url"}, "source", "webadres"),
    ({"code": "kleine_letters"}, "code", "geen geldige code"),
    ({"name_nl": ""}, "name_nl", "verplicht"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "column", "message"), BAD_ROWS, ids=[c for _, c, _ in BAD_ROWS])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_one_bad_row_refuses_the_whole_file(tmp_path, fmt, change, column, message):
    before = CostItem.objects.count()
    # Row 2 and 4 are fine and new, row 3 is bad; PW_UITK_GEM would be updated if anything were imported.
    rows = rows_with({}, change, {}) + [dict(GOOD, code="PW_UITK_GEM", amount_eur="1.00")]
    path = write_csv(tmp_path / "k.csv", rows) if fmt == "csv" else write_xlsx(tmp_path / "k.xlsx", rows)
    error = import_error(path)
    assert "Er is niets ingelezen" in error
    assert f"rij 3, kolom {column}:" in error
    assert message in error
    assert "rij 2" not in error and "rij 4" not in error
    assert CostItem.objects.count() == before
    assert CostItem.objects.get(code="PW_UITK_GEM").amount == Decimal("14000.00")
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_every_problem_is_listed_not_just_the_first(tmp_path):
    rows = rows_with({"per": "week"}, {}, {"year": "3000", "confidence": "Z"})
    error = import_error(write_csv(tmp_path / "k.csv", rows))
    assert "rij 2, kolom per:" in error
    assert "rij 4, kolom year:" in error
    assert "rij 4, kolom confidence:" in error
    assert "3 probleem/problemen" in error


@pytest.mark.django_db
def test_duplicate_codes_within_the_file_are_refused(tmp_path):
    rows = [GOOD, dict(GOOD, name_nl="Anders")]
    error = import_error(write_csv(tmp_path / "k.csv", rows))
    assert "rij 3, kolom code: code TEST_BEWIND staat ook in rij 2" in error
    assert not CostItem.objects.filter(code="TEST_BEWIND").exists()


@pytest.mark.django_db
def test_missing_column_is_named(tmp_path):
    header = [c for c in COLUMNS if c != "confidence"]
    error = import_error(write_csv(tmp_path / "k.csv", [GOOD], header=header))
    assert "rij 1, kolom confidence: deze kolom ontbreekt in de kopregel" in error


@pytest.mark.django_db
def test_unreadable_files_are_refused(tmp_path):
    (tmp_path / "k.txt").write_text("x")
    assert "Onbekend bestandstype .txt" in import_error(tmp_path / "k.txt")
    (tmp_path / "latin.csv").write_bytes(",".join(COLUMNS).encode() + "\nCAFÉ".encode("latin-1"))
    assert "UTF-8" in import_error(tmp_path / "latin.csv")
    assert "niet gevonden" in import_error(tmp_path / "nope.csv")


# Importing a good file ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_good_file_imports_and_upserts_by_code(tmp_path, fmt):
    rows = [
        GOOD,
        dict(
            GOOD, code="PW_UITK_GEM", name_nl="Bijstandsuitkering (nieuw)", amount_eur="14500.50", year="2024"
        ),
    ]
    path = write_csv(tmp_path / "k.csv", rows) if fmt == "csv" else write_xlsx(tmp_path / "k.xlsx", rows)
    out = run_import(path)
    assert "2 rijen ingelezen: 1 nieuw, 1 bijgewerkt, 0 ongewijzigd" in out
    new = CostItem.objects.get(code="TEST_BEWIND")
    assert (new.amount, new.per, new.year, new.payer, new.confidence) == (
        Decimal("123.45"),
        "month",
        2024,
        "gemeente",
        "B",
    )
    updated = CostItem.objects.get(code="PW_UITK_GEM")
    assert (updated.amount, updated.year, updated.name_nl) == (
        Decimal("14500.50"),
        2024,
        "Bijstandsuitkering (nieuw)",
    )
    # Items that are not in the file are left alone.
    assert CostItem.objects.get(code="MO_PLEK").active
    assert AccessLog.objects.filter(object_type="catalogue.costitem", action="update").count() == 1
    # Running it again changes nothing.
    assert "0 nieuw, 0 bijgewerkt, 2 ongewijzigd" in run_import(path)


@pytest.mark.django_db
def test_active_column_can_deactivate(tmp_path):
    path = write_csv(tmp_path / "k.csv", [dict(GOOD, active="nee")], header=[*COLUMNS, "active"])
    run_import(path)
    assert not CostItem.objects.get(code="TEST_BEWIND").active


@pytest.mark.django_db
def test_dry_run_validates_only(tmp_path):
    out = run_import(write_csv(tmp_path / "k.csv", [GOOD]), "--dry-run")
    assert "er is niets ingelezen (--dry-run)" in out
    assert not CostItem.objects.filter(code="TEST_BEWIND").exists()


@pytest.mark.django_db
def test_command_line_exits_non_zero_on_a_bad_file(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    path = write_csv(tmp_path / "k.csv", rows_with({"per": "week"}))
    result = subprocess.run(
        [sys.executable, "-m", "maatwerk.cli", "catalogue", "import", str(path), "--dry-run"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "MAATWERK_VAR_DIR": str(tmp_path), "LANG": "C.UTF-8"},
        timeout=60,
    )
    assert result.returncode == 1
    assert "rij 2, kolom per:" in result.stderr
