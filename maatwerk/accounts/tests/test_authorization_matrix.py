"""Every route × every kind of user → the status the table in `authorization_matrix.txt` says.

The routes come from the URL conf (`get_resolver()`, the admin under /beheer/ included) and from the API's
own OpenAPI document (one row per operation and method). A route that is not in the table fails the test
with its name, so a new page or endpoint cannot go live without someone deciding who may open it.

Path parameters are filled with real objects of alice's team (`world_objects`), so the rows prove that
bob (a worker of another team) and carol (another municipality) get 404 on alice's household, case, note,
business case, spend, budget, batch and barrier. Web routes are tried with GET and with an empty POST;
API operations with their own method and a minimal valid body (so that a 404 or 403 is the permission
answer, not a validation error). Every request runs in a savepoint that is rolled back, so a POST that
succeeds changes nothing for the next one, and the database is built once per module.
"""

import copy
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from conftest import build_world
from maatwerk.api.urls import api
from maatwerk.businesscases.tests.factories import childcare_plan

from .world_objects import build_objects

USERS = ("anon", "alice", "bob", "carol", "dave", "lars", "erin", "pat", "rita", "adam")
TABLE = Path(__file__).with_name("authorization_matrix.txt")
API_PREFIX = "/api/v1/"
# Web routes under the API prefix that are not operations: the document, its page and ninja's root.
API_PAGES = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/"}
LOGIN_PAGES = ("/inloggen/", "/beheer/login/")


# --- the table ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    method: str
    route: str
    expected: dict[str, str]

    @property
    def key(self) -> str:
        return f"{self.method} {self.route}"


def read_table() -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for number, line in enumerate(TABLE.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        method, route, *statuses = line.split()
        assert len(statuses) == len(USERS), f"{TABLE.name}:{number}: {len(USERS)} statuses expected"
        row = Row(method, route, dict(zip(USERS, statuses, strict=True)))
        assert row.key not in rows, f"{TABLE.name}:{number}: {row.key} twice"
        rows[row.key] = row
    return rows


# --- the routes --------------------------------------------------------------------------------------


def _walk(patterns, prefix="/"):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            route = str(p.pattern)
            # The admin's app index is one regex over the registered apps: one row per app instead.
            apps = re.fullmatch(r"\^\(\?P<app_label>([\w|]+)\)/\$", route)
            if apps:
                yield from (f"{prefix}{label}/" for label in apps[1].split("|"))
            else:
                yield prefix + route.replace("(?P<url>.*)$", "<url>")


def web_routes() -> list[str]:
    return [r for r in _walk(get_resolver().url_patterns) if not r.startswith(API_PREFIX) or r in API_PAGES]


def api_operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return [(method.upper(), path) for path, ops in paths.items() for method in ops]


def discovered() -> set[str]:
    keys = {f"{m} {r}" for r in web_routes() for m in ("GET", "POST")}
    return keys | {f"{m} {p}" for m, p in api_operations()}


def test_every_route_has_a_row_in_the_matrix():
    missing = sorted(discovered() - set(read_table()))
    assert not missing, f"Routes without a row in {TABLE.name} (add who may open them):\n" + "\n".join(
        missing
    )


def test_every_row_of_the_matrix_is_a_route():
    stale = sorted(set(read_table()) - discovered())
    assert not stale, f"Rows in {TABLE.name} for routes that do not exist:\n" + "\n".join(stale)


def test_every_api_route_of_the_url_conf_is_an_operation_of_the_document():
    # ninja's URL patterns use <name> where the document says {name}; an operation left out of the
    # document (include_in_schema=False) would otherwise escape the matrix.
    in_document = {re.sub(r"\{(\w+)\}", r"<\1>", p) for _m, p in api_operations()}
    in_urls = {r for r in _walk(get_resolver().url_patterns) if r.startswith(API_PREFIX)} - API_PAGES
    assert {re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", r) for r in in_urls} == in_document


# --- the world -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def objects(django_db_setup, django_db_blocker):
    """The named users and alice's objects, built once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        # A functional administrator works in the admin site (as `maatwerk demo` sets them up).
        world.adam.is_staff = True
        world.adam.save(update_fields=["is_staff"])
        objs = build_objects(world)
        clients = {"anon": Client()}
        for name in USERS[1:]:
            clients[name] = Client()
            clients[name].force_login(
                getattr(world, name), backend="django.contrib.auth.backends.ModelBackend"
            )
        yield world, objs, clients
        transaction.set_rollback(True)


def _admin_object(model_path: str, world, o) -> str:
    # Objects of alice's side of the admin: her municipality, team, account, membership and token.
    chosen = {
        "accounts/municipality": world.eindhoven,
        "accounts/team": world.team_a,
        "accounts/user": world.alice,
        "accounts/membership": o.membership,
        "accounts/apitoken": o.token,
        "accounts/accesslog": o.access_log,
        "budgets/mandate": o.mandate,
        "budgets/budget": o.budget,
        "budgets/ledgerentry": o.allocation,
        "budgets/paymentbatch": o.batch,
        "catalogue/costitem": o.item,
        "catalogue/costoverride": o.override,
    }.get(model_path)
    return str(chosen.pk) if chosen is not None else "1"


def fill(route: str, world, o) -> str:
    """The route with its parameters replaced by alice's objects."""
    by_prefix = [
        ("/teams/", {"pk": world.team_a.pk}),
        ("/dashboard/", {"slug": "status"}),
        ("/casussen/personen/", {"pk": o.person.pk}),
        ("/casussen/<int:pk>/nazorg/", {"pk": o.closed.pk, "followup_pk": o.followup.pk}),
        ("/casussen/stemmen/", {"pk": o.voice.pk}),
        ("/casussen/gesprekken/", {"pk": o.conversation.pk}),
        ("/casussen/", {"pk": o.case.pk, "note_pk": o.note.pk}),
        ("/businesscases/", {"case_id": o.case.pk, "number": o.version.number}),
        ("/budget/aanvragen/", {"pk": o.spend.pk, "case_id": o.case.pk, "action": "approve"}),
        ("/budget/betalingen/batches/", {"pk": o.batch.pk}),
        ("/budget/mandaten/", {"municipality_id": world.eindhoven.pk, "pk": o.mandate.pk}),
        ("/budget/", {"pk": o.budget.pk}),
        ("/knelpunten/escalaties/", {"pk": o.escalation.pk}),
        ("/verhalen/verslagen/", {"pk": o.story_report.pk, "fmt": "csv"}),
        ("/knelpunten/", {"pk": o.barrier.pk, "fmt": "csv"}),
        ("/onderzoek/onderdelen/", {"pk": o.research.parts.get().pk}),
        ("/onderzoek/", {"pk": o.research.pk}),
        ("/zaken/", {"case_id": o.case.pk}),  # zaken: the Open Zaak panel's retry button
        ("/beheer/r/", {"content_type_id": "1", "object_id": str(world.alice.pk)}),
        ("/beheer/accounts/user/", {"id": world.alice.pk}),
        ("/beheer/", {"url": "bestaat-niet/", "pk": "1"}),
    ]
    api_values = {
        "team_id": world.team_a.pk,
        "code": o.item.code,
        "override_id": o.override.pk,
        "household_id": o.household.pk,
        "person_id": o.person.pk,
        "case_id": o.case.pk,
        "note_id": o.note.pk,
        "followup_id": o.followup.pk,
        "number": o.version.number,
        "barrier_id": o.barrier.pk,
        "escalation_id": o.escalation.pk,
        "budget_id": o.budget.pk,
        "entry_id": o.allocation.pk,
        "spend_id": o.spend.pk,
        "batch_id": o.batch.pk,
    }
    if route.startswith(API_PREFIX):
        url = re.sub(r"\{(\w+)\}", lambda m: str(api_values[m.group(1)]), route)
        # A query the operation requires, so the answer is about permission, not a missing parameter.
        return url + "?amount=10.00" if url.endswith("/route") else url
    admin = re.match(r"/beheer/(\w+)/(\w+)/<path:object_id>/", route)
    if admin:
        return route.replace("<path:object_id>", _admin_object(f"{admin[1]}/{admin[2]}", world, o))
    values = next((v for prefix, v in by_prefix if route.startswith(prefix)), {})
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def api_body(method: str, path: str, world, o) -> dict | None:
    """A minimal body that passes the schema, so the answer is about permission (or the service's rules)."""
    reason = {"reason": "Controle"}
    bodies = {
        "POST /api/v1/catalogue/overrides": {
            "item_code": o.item.code,
            "amount": "10.00",
            "year": o.item.year,
        },
        "PUT /api/v1/catalogue/overrides/{override_id}": {
            "item_code": o.item.code,
            "amount": "11.00",
            "year": o.item.year,
        },
        "POST /api/v1/households": {"name": "Visser"},
        "POST /api/v1/households/{household_id}/persons": {
            "first_name": "Tim",
            "last_name": "Jansen",
            "role": "child",
        },
        "POST /api/v1/cases": {"household_id": o.household.pk},
        "PUT /api/v1/cases/{case_id}/situation": {"goal": "Weer rondkomen."},
        "POST /api/v1/cases/{case_id}/status": {"to": "closed"},
        "POST /api/v1/cases/{case_id}/notes": {"text": "Gebeld."},
        "PUT /api/v1/cases/{case_id}/notes/{note_id}": {"text": "Gebeld, teruggebeld."},
        "POST /api/v1/cases/{case_id}/time": {"hours": "1.0", "activity": "household"},
        "PUT /api/v1/cases/{case_id}/scores": {"moment": "intake", "scores": {}},
        "POST /api/v1/cases/{case_id}/mdt": {
            "question": "Wie betaalt?",
            "held_on": "2026-01-05",
            "participants": [],
        },
        "POST /api/v1/cases/{case_id}/close": {"goal_reached": "yes", "tone": "positive"},
        "POST /api/v1/followups/{followup_id}": {"back_in_trouble": False},
        "POST /api/v1/businesscases/compute": childcare_plan(),
        "POST /api/v1/businesscases/cases/{case_id}/versions": {"plan": childcare_plan()},
        "POST /api/v1/businesscases/cases/{case_id}/versions/{number}/freeze": reason,
        "POST /api/v1/businesscases/cases/{case_id}/triangle": {
            "engagement": "Wil werken.",
            "legitimacy": "Voorkomt bijstand.",
            "judgement": "Doen.",
            "verdict": "yes",
        },
        "POST /api/v1/barriers": {
            "type": "rule_clash",
            "title": "Verrekening",
            "description": "Stapeling van terugvorderingen.",
            "agencies": [1],
            "case_id": o.case.pk,
        },
        "PATCH /api/v1/barriers/{barrier_id}": {"risk": "Huurachterstand"},
        "POST /api/v1/barriers/{barrier_id}/links": {"case_id": o.closed.pk},
        "POST /api/v1/barriers/{barrier_id}/escalations": {
            "level": "region",
            "to": "Regio",
            "due_date": "2099-01-01",
            # The municipality's step is still unanswered and within its term.
            "reason": "De huur wordt over een week opgezegd.",
        },
        "POST /api/v1/barriers/escalations/{escalation_id}/answer": {
            "answer": "Nee.",
            "decision": "referred",
        },
        "POST /api/v1/barriers/{barrier_id}/close": {"status": "closed"},
        "POST /api/v1/barriers/groups": {"barrier_ids": [o.barrier.pk]},
        "POST /api/v1/budget/budgets": {
            "municipality_id": world.eindhoven.pk,
            "channel": "maatwerkbudget",
            # A year no other budget of the world covers, within the ten years a budget may lie ahead.
            "period_start": f"{timezone.localdate().year + 3}-01-01",
            "period_end": f"{timezone.localdate().year + 3}-12-31",
        },
        "POST /api/v1/budget/budgets/{budget_id}/allocations": {"amount": "10.00"},
        "POST /api/v1/budget/budgets/{budget_id}/allocations/{entry_id}/reverse": reason,
        "POST /api/v1/budget/spends": {
            "case_id": o.case.pk,
            "amount": "50.00",
            "channel": "maatwerkbudget",
            "purpose": "Boodschappen",
            "legal_basis": "rule_free",
            "creditor_name": "Supermarkt",
            "iban": "NL91ABNA0417164300",
        },
        "POST /api/v1/budget/spends/{spend_id}/reject": reason,
        "POST /api/v1/budget/spends/{spend_id}/cancel": reason,
        "POST /api/v1/budget/spends/{spend_id}/reverse-payment": reason,
        "POST /api/v1/budget/spends/{spend_id}/legality-checks": {
            "verdict": "lawful",
            "legal_basis_ok": True,
            "mandate_ok": True,
            "deviation_ok": True,
            "prior_provisions_considered": True,
            "amount_reasonable": True,
        },
        "POST /api/v1/budget/payments/batches": {
            "debtor_name": "Gemeente Eindhoven",
            "debtor_iban": "NL91ABNA0417164300",
            "execution_date": "2099-01-01",
        },
        "POST /api/v1/budget/payments/batches/{batch_id}/withdraw": reason,
    }
    return bodies.get(f"{method} {path}")


def answer(client: Client, method: str, url: str, body) -> tuple[int, str]:
    """(status, redirect target) of one request, with its database changes rolled back."""
    cookies = copy.deepcopy(client.cookies)  # a logout or a language switch must not carry over
    with transaction.atomic():
        if url.startswith(API_PREFIX) and method != "GET":
            data = json.dumps(body if body is not None else {})
            response = client.generic(method, url, data, content_type="application/json")
        elif method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, {})
        transaction.set_rollback(True)
    client.cookies = cookies
    return response.status_code, response.get("Location", "")


def token(status: int, location: str) -> str:
    if status == 302 and location.startswith(LOGIN_PAGES):
        return "login"
    return str(status)


ROWS = read_table()


@pytest.mark.parametrize("key", sorted(ROWS))
def test_route_answers_each_user_as_the_matrix_says(key, objects, db):
    world, o, clients = objects
    row = ROWS[key]
    url = fill(row.route, world, o)
    body = api_body(row.method, row.route, world, o) if row.route.startswith(API_PREFIX) else None
    got = {}
    for user in USERS:
        status, location = answer(clients[user], row.method, url, body)
        assert status < 500, f"{key} as {user} ({url}): {status}"
        got[user] = token(status, location)
    wrong = {u: f"expected {row.expected[u]}, got {got[u]}" for u in USERS if got[u] != row.expected[u]}
    assert not wrong, f"{key} ({url}):\n" + "\n".join(f"  {u}: {w}" for u, w in wrong.items())


@pytest.mark.skipif(not os.environ.get("MATRIX_OBSERVED"), reason="MATRIX_OBSERVED=file writes the table")
def test_write_the_observed_matrix(objects, db):
    """`MATRIX_OBSERVED=/tmp/observed.txt pytest -k observed` writes what every route answers now, in the
    table's format, to compare with the committed table after a change that moves many rows (`diff -w`)."""
    world, o, clients = objects
    lines = []
    for key in sorted(discovered(), key=lambda k: (k.split()[1], k.split()[0])):
        method, route = key.split(" ", 1)
        url = fill(route, world, o)
        body = api_body(method, route, world, o) if route.startswith(API_PREFIX) else None
        got = [token(*answer(clients[user], method, url, body)) for user in USERS]
        lines.append(f"{method:6} {route:70} " + " ".join(f"{g:5}" for g in got).rstrip())
    Path(os.environ["MATRIX_OBSERVED"]).write_text("\n".join(lines) + "\n", encoding="utf-8")
