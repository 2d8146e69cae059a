"""The research export (maatwerk.research.export.build): k and l checked with pycanon on the files as
written, pseudonyms, the key, personal data, the columns and the codebook."""

import base64
import datetime
import io
import json
import os
import random
import re
import zipfile

import pandas as pd
import pytest
from django.core.management import call_command
from django.utils import timezone
from pycanon import anonymity

from conftest import make_user
from maatwerk.accounts.models import Municipality, Role
from maatwerk.cases.models import Case, Feedback, Household, Note, Outcome, Person, Status
from maatwerk.demo.organisation import ensure_organisation
from maatwerk.research.export import ExportError, build
from maatwerk.research.models import RequestPart, ResearchExport, ResearchRequest, VariableGroup

pytestmark = pytest.mark.django_db

ALL_GROUPS = list(VariableGroup.values)
QI_WITH_MUNICIPALITY = ["municipality", "birth_band", "household_size", "opened_month", "closed_month"]


def make_request(researcher, municipalities, *, groups=ALL_GROUPS, free_text=False, approve=None):
    today = timezone.localdate()
    request = ResearchRequest.objects.create(
        researcher=researcher,
        purpose="Evaluatie van het maatwerkbudget",
        question="Helpt maatwerk huishoudens uit de knel?",
        period_from=datetime.date(2000, 1, 1),
        period_to=today.replace(day=1),
        variable_groups=groups,
        free_text=free_text,
    )
    for municipality in municipalities:
        approved = approve is None or municipality in approve
        RequestPart.objects.create(
            request=request,
            municipality=municipality,
            state=RequestPart.State.APPROVED if approved else RequestPart.State.PENDING,
            decided_by=researcher if approved else None,
            decided_at=timezone.now() if approved else None,
        )
    return ResearchExport.objects.create(request=request, key=os.urandom(32))


def run(export, tmp_path) -> dict:
    """Build the export and return its files by name (bytes)."""
    calls = []
    path = build(export, out_dir=tmp_path, progress=lambda *a: calls.append(a))
    assert path.exists() and path.suffix == ".zip"
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*.tmp"))
    assert calls[-1][0] == "packing" and calls[-1][1] == calls[-1][2]
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def frames(files: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    parquet = pd.read_parquet(io.BytesIO(files["cases.parquet"]))
    csv = pd.read_csv(io.BytesIO(files["cases.csv"]), dtype=str, keep_default_na=False)
    return parquet, csv


def assert_k_and_l(df: pd.DataFrame, qi: list[str], sensitive: list[str], k=10, l=2):  # noqa: E741
    """k over all rows; l per sensitive attribute over the rows where it is known (an outcome does not
    apply to an open case: those rows disclose nothing, see maatwerk.lib.kanon)."""
    df = df.copy()
    for column in qi:
        df[column] = df[column].astype(str)  # pycanon compares values; None and "" both become a value
    assert anonymity.k_anonymity(df, qi) >= k
    for column in sensitive:
        known = df[df[column].notna() & (df[column].astype(str) != "")].reset_index(drop=True)
        if len(known):
            known[column] = known[column].astype(str)
            assert anonymity.l_diversity(known, qi, [column]) >= l, column


def domain_set(df: pd.DataFrame) -> pd.Series:
    domain_columns = [c for c in df.columns if c.startswith("domain_")]
    return df[domain_columns].astype(str).agg("".join, axis=1)


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_organisation()
    call_command("demo", households=900, seed=1, verbosity=0)
    eindhoven = Municipality.objects.get(name="Eindhoven")
    return {
        "researcher": make_user("rita", Role.RESEARCHER, municipality=eindhoven),
        "municipalities": list(Municipality.objects.order_by("name")),
    }


def test_demo_export_is_10_anonymous_and_2_diverse_checked_by_pycanon(demo, tmp_path):
    export = make_request(demo["researcher"], demo["municipalities"])
    files = run(export, tmp_path)
    assert set(files) == {"cases.parquet", "cases.csv", "codebook.csv", "manifest.json"}
    manifest = json.loads(files["manifest.json"])
    for df in frames(files):
        assert len(df) == manifest["rows"] > 800
        df["domains"] = domain_set(df)
        assert_k_and_l(df, QI_WITH_MUNICIPALITY, ["domains", "goal_reached"])
    assert manifest["anonymity"]["k_reached"] >= 10 and manifest["anonymity"]["l_reached"] >= 2
    assert manifest["anonymity"]["withheld_rows"] + manifest["anonymity"]["suppressed_rows"] <= 0.05 * (
        Case.objects.count()
    )


def test_demo_export_has_the_groups_figures(demo, tmp_path):
    export = make_request(demo["researcher"], demo["municipalities"])
    cases, _ = frames(run(export, tmp_path))
    assert cases["bc_net"].notna().any() and cases["hours_total"].astype(float).sum() > 0
    assert set(cases["goal_reached"].dropna()) <= {"yes", "partly", "no"}
    assert cases["client_grade"].dropna().between(1, 10).all()
    assert cases["score_intake_finances"].dropna().between(1, 5).all()
    assert cases["spend_maatwerkbudget_approved"].astype(float).sum() > 0
    assert set(cases["status"]) <= set(Status.values)
    assert (cases["agencies"] >= 0).all()
    # Months only: nothing that looks like a day.
    assert not cases["opened_month"].str.contains(r"\d{4}-\d{2}-\d{2}").any()


def test_municipality_column_only_with_several_municipalities(demo, tmp_path):
    eindhoven = Municipality.objects.get(name="Eindhoven")
    one = frames(run(make_request(demo["researcher"], [eindhoven]), tmp_path / "one"))[0]
    assert "municipality" not in one.columns
    tilburg = Municipality.objects.get(name="Tilburg")
    # A part still pending does not count: the file is Eindhoven's alone.
    export = make_request(demo["researcher"], [eindhoven, tilburg], approve=[eindhoven])
    assert "municipality" not in frames(run(export, tmp_path / "pending"))[0].columns
    two = frames(run(make_request(demo["researcher"], [eindhoven, tilburg]), tmp_path / "two"))[0]
    assert "municipality" in two.columns
    assert set(two["municipality"]) <= {"Eindhoven", "Tilburg", "*"}


def test_pseudonyms_are_stable_within_an_export_and_differ_across_exports(demo, tmp_path):
    export = make_request(demo["researcher"], demo["municipalities"], groups=[])
    first = frames(run(export, tmp_path / "a"))[0]
    again = frames(run(export, tmp_path / "b"))[0]
    assert list(first["case"]) == list(again["case"])
    assert list(first["household"]) == list(again["household"])
    assert first["case"].is_unique and first["case"].str.fullmatch(r"[0-9a-f]{20}").all()
    other = frames(run(make_request(demo["researcher"], demo["municipalities"], groups=[]), tmp_path / "c"))[
        0
    ]
    assert not set(first["case"]) & set(other["case"])
    assert not set(first["household"]) & set(other["household"])


def test_codebook_lists_every_column_and_the_manifest_the_run(demo, tmp_path):
    export = make_request(demo["researcher"], demo["municipalities"])
    files = run(export, tmp_path)
    codebook = pd.read_csv(io.BytesIO(files["codebook.csv"]), keep_default_na=False)
    cases, csv = frames(files)
    assert list(codebook["variable"]) == list(cases.columns) == list(csv.columns)
    assert (codebook["label_nl"] != "").all()
    assert "5 jaar" in codebook.set_index("variable").loc["birth_band", "coarsening"]
    manifest = json.loads(files["manifest.json"])
    assert manifest["request"] == export.request_id
    assert manifest["municipalities"] == [m.name for m in demo["municipalities"]]
    assert manifest["anonymity"]["k"] == 10 and manifest["anonymity"]["l"] == 2
    assert set(manifest["anonymity"]["levels"]) == set(QI_WITH_MUNICIPALITY)
    assert {"python", "django", "pyarrow", "deduce", "maatwerk", "git_commit"} <= set(manifest["tools"])
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["code"]["sha256"])
    assert "maatwerk.research.export.dataset" in manifest["code"]["modules"]
    assert export.manifest == manifest


# Adversarial: one rare household among ordinary ones.

FIRST_NAMES = ["Sanne", "Mohamed", "Fatima", "Daan", "Emine", "Kevin", "Priya"]
LAST_NAMES = ["Jansen", "El Amrani", "de Vries", "Yilmaz", "Wijaya", "Bakker"]


@pytest.fixture
def rare_world(world):
    """Eindhoven: 60 ordinary households (born 1980-1984, 2 persons, opened in 2025); Utrecht: a single
    household born 1921 with 9 persons, whose note names them with their BSN, IBAN, address and phone."""
    rng = random.Random(3)
    cases = []
    for i in range(60):
        last = LAST_NAMES[i % len(LAST_NAMES)]
        household = Household.objects.create(
            municipality=world.eindhoven, team=world.team_a, name=last, search_key=last.lower()
        )
        Person.objects.create(
            household=household,
            first_name=FIRST_NAMES[i % 7],
            last_name=last,
            role="applicant",
            birth_year=1980 + i % 5,
            bsn="123456782" if i == 0 else "",
        )
        Person.objects.create(
            household=household,
            first_name=FIRST_NAMES[(i + 3) % 7],
            last_name=last,
            role="partner",
            birth_year=1979,
        )
        case = Case.objects.create(
            municipality=world.eindhoven,
            team=world.team_a,
            household=household,
            lead_worker=world.alice,
            status=Status.CLOSED,
            domains=1 << rng.randint(0, 5),
            opened_on=datetime.date(2025, 3, 1 + i % 20),
            closed_on=datetime.date(2025, 9, 10),
        )
        Outcome.objects.create(
            case=case, goal_reached=rng.choice(["yes", "no", "partly"]), recorded_by=world.alice
        )
        cases.append(case)
    first = cases[0]
    Note.objects.create(
        case=first,
        author=world.alice,
        text=(
            "Sanne Jansen (BSN 123456782) woont aan de Kerkstraat 12, 5611 AB Eindhoven.\n\n"
            "Bel haar op 06-12345678 of mail sanne.jansen@example.nl; IBAN NL91ABNA0417164300."
        ),
    )
    Feedback.objects.create(
        case=first, grade=8, quote="Mohamed en Sanne hebben het samen gered.", quote_consent=True
    )
    rare = Household.objects.create(
        municipality=world.utrecht, team=world.team_c, name="Wolfswinkel", search_key="wolfswinkel"
    )
    for j in range(9):
        Person.objects.create(
            household=rare,
            first_name=["Hendrika", "Gerrit", "Klaasje"][j % 3],
            last_name="Wolfswinkel",
            role="applicant" if j == 0 else "child",
            birth_year=1921 if j == 0 else 1950 + j,
            bsn="111222333" if j == 0 else "",
        )
    case = Case.objects.create(
        municipality=world.utrecht,
        team=world.team_c,
        household=rare,
        lead_worker=world.carol,
        status=Status.CLOSED,
        domains=0b1000000000001,
        opened_on=datetime.date(2025, 1, 7),
        closed_on=datetime.date(2025, 12, 2),
    )
    Outcome.objects.create(case=case, goal_reached="yes", recorded_by=world.carol)
    Note.objects.create(
        case=case,
        author=world.carol,
        text=(
            "Hendrika Wolfswinkel (BSN 111222333) woont aan de Kerkstraat 12, 3511 AB Utrecht.\n\n"
            "Bel haar op 06-12345678 of mail hendrika.wolfswinkel@example.nl; IBAN NL91ABNA0417164300."
        ),
    )
    Feedback.objects.create(case=case, grade=9, quote="Gerrit heeft ons echt geholpen.", quote_consent=True)
    return {"researcher": world.rita, "municipalities": [world.eindhoven, world.utrecht], "rare": case}


def test_a_single_rare_household_is_never_published_alone(rare_world, tmp_path):
    export = make_request(rare_world["researcher"], rare_world["municipalities"])
    files = run(export, tmp_path)
    manifest = json.loads(files["manifest.json"])
    for df in frames(files):
        df["domains"] = domain_set(df)
        assert_k_and_l(df, QI_WITH_MUNICIPALITY, ["domains", "goal_reached"])
        assert not (df["municipality"] == "Utrecht").any()
        assert not df["birth_band"].str.startswith("192").any()
        assert not (df["household_size"] == "5+").any()
    assert manifest["anonymity"]["withheld_rows"] + manifest["anonymity"]["suppressed_rows"] >= 1


def test_too_few_cases_refuse_to_leave(world, tmp_path):
    export = make_request(world.rita, [world.utrecht])
    with pytest.raises(ExportError):
        build(export, out_dir=tmp_path, progress=lambda *a: None)
    assert not list(tmp_path.iterdir())


def test_a_request_without_an_approved_part_is_refused(rare_world, tmp_path):
    export = make_request(rare_world["researcher"], rare_world["municipalities"], approve=[])
    with pytest.raises(ExportError):
        build(export, out_dir=tmp_path, progress=lambda *a: None)


def test_no_key_and_no_personal_data_in_any_file(rare_world, tmp_path):
    # The texts of an ordinary (published) household name them with their BSN, address, phone, e-mail
    # and IBAN; the rare household's are withheld with its case. Every file is scanned.
    export = make_request(rare_world["researcher"], rare_world["municipalities"], free_text=True)
    files = run(export, tmp_path)
    assert "texts.parquet" in files and "texts.csv" in files
    texts = pd.read_parquet(io.BytesIO(files["texts.parquet"]))
    assert list(texts.columns) == ["case", "kind", "text"]
    cases = pd.read_parquet(io.BytesIO(files["cases.parquet"]))
    assert set(texts["case"]) <= set(cases["case"])
    assert set(texts["kind"]) == {"note", "quote"}
    key = bytes(export.key)
    secrets = [
        key,
        key.hex().encode(),
        key.hex().upper().encode(),
        base64.b64encode(key),
        base64.urlsafe_b64encode(key),
    ]
    names = set(Household.objects.values_list("name", flat=True))
    names |= set(Person.objects.values_list("first_name", flat=True)) | set(
        Person.objects.values_list("last_name", flat=True)
    )
    personal = [
        re.compile(rb"\b\d{9}\b"),  # BSN
        re.compile(rb"\bNL\d{2}[A-Z]{4}\d{10}\b"),  # IBAN
        re.compile(rb"\b\d{4} ?[A-Z]{2}\b"),  # postcode
        re.compile(rb"Kerkstraat"),  # address
        re.compile(rb"\b06-?\d{8}\b"),  # phone
        re.compile(rb"[\w.]+@[\w.]+\.\w+"),  # e-mail
    ]
    for name, content in files.items():
        for secret in secrets:
            assert secret not in content, name
        if name.endswith(".parquet"):
            table = pd.read_parquet(io.BytesIO(content))
            content = table.to_csv(index=False).encode()
        for pattern in personal:
            assert not pattern.search(content), (name, pattern.pattern)
        for person in names:
            assert not re.search(rf"\b{re.escape(person)}\b".encode(), content), (name, person)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_outside_a_transaction_the_reads_take_a_connection_of_their_own(world, tmp_path, settings, debug):
    """As the task worker calls it: the two passes read on a second connection in one snapshot, and the
    default connection stays free for the progress the caller writes (here: an UPDATE per report). Also
    with DEBUG on (a developer's `manage.py db_worker`), when Django formats every query for its log."""
    settings.DEBUG = debug
    for i in range(12):
        household = Household.objects.create(
            municipality=world.eindhoven, team=world.team_a, name=f"H{i}", search_key=f"h{i}"
        )
        Person.objects.create(
            household=household, first_name="A", last_name="B", role="applicant", birth_year=1970
        )
        Case.objects.create(
            municipality=world.eindhoven,
            team=world.team_a,
            household=household,
            domains=1 << (i % 3),
            opened_on=datetime.date(2025, 2, 3),
        )
    export = make_request(world.rita, [world.eindhoven], groups=[])

    def progress(stage, done, total):
        ResearchExport.objects.filter(pk=export.pk).update(
            stage=stage, progress_done=done, progress_total=total
        )

    path = build(export, out_dir=tmp_path, progress=progress)
    with zipfile.ZipFile(path) as archive:
        cases = pd.read_parquet(io.BytesIO(archive.read("cases.parquet")))
    assert len(cases) == 12
    export.refresh_from_db()
    assert export.stage == "packing" and export.progress_done == export.progress_total == 1
