"""Automated accessibility audit: axe-core in real Chromium against the WCAG 2.0/2.1 A and AA rules.

Each page is its own test: log in as the person who uses it, build the rows it shows, bring it into the
state worth checking (a filter applied, validation errors shown) and let axe check it twice: on a desktop
screen and 320 CSS pixels wide, where WCAG 1.4.10 (Reflow) wants no sideways scrolling of the page and
wide tables scroll inside their own, keyboard-reachable container. axe cannot see reflow, so the test
measures the page's width itself.

axe-core comes from node_modules (`make install`); it is never served to users. The strict CSP forbids
injected inline scripts, so axe's source is evaluated through the DevTools protocol, which CSP does not
govern. Automated rules find perhaps a third of the problems: this is a floor, not a certificate.

Repeat the audit:
    .venv/bin/python -m pytest -q -p no:cacheprovider maatwerk/accounts/tests/test_accessibility.py
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from conftest import click_and_load, htmx_ready
from maatwerk.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}  # WCAG 1.4.10: 1280 px at 400 % zoom
SHOWN_TARGETS = 3


@cache
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install` (npm ci installs axe-core)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
            .then(r => r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" ")),
            })))""",
        WCAG_TAGS,
    )


def wider_than_viewport(page) -> list[str]:
    """The outermost elements that stick out of the viewport, when the page scrolls sideways."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            const sticksOut = el => el.getBoundingClientRect().right > width + 1;
            const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                + [...el.classList].map(c => "." + c).join("");
            const found = [...document.querySelectorAll("body *")]
                .filter(el => sticksOut(el) && !sticksOut(el.parentElement)).map(name);
            return found.length ? found : ["(text or an absolutely positioned element)"];
        }"""
    )


def settled(page) -> None:
    """Two animation frames: layout and ResizeObserver callbacks (app.js) have run after a resize."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        more = len(v["targets"]) - SHOWN_TARGETS
        targets = ", ".join(v["targets"][:SHOWN_TARGETS]) + (f" (+{more} more)" if more > 0 else "")
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']} — {len(v['targets'])} node(s): {targets}")
    return "\n".join(lines)


def log_in(page, username: str) -> None:
    """A session cookie instead of the login form: the form is audited as a page of its own."""
    client = Client()
    client.force_login(
        User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": page.base_url}])


def submit(page, button: str) -> None:
    click_and_load(page, page.get_by_role("button", name=button, exact=True))
    expect(page.get_by_role("alert").first).to_be_visible()


# Each page: who looks at it, and a function that builds its rows, opens it and brings it into state.


@dataclass(frozen=True)
class Audit:
    user: str | None
    visit: Callable  # (page, world) -> None


def _login_page(page, world):
    page.goto("/inloggen/")


def _home(page, world):
    page.goto("/")  # a worker's start page is her team's page


def _case_list(page, world):
    from maatwerk.cases.tests.factories import household_case

    household_case(world)
    household_case(world, name="De Vries")
    page.goto("/casussen/")


def _case_detail(page, world):
    from maatwerk.cases import services
    from maatwerk.cases.models import Status
    from maatwerk.cases.tests.factories import case_in, time_payload

    case = case_in(world, Status.PLAN)
    services.add_note(case, by=world.alice, text="Belastingdienst gebeld; terugbelverzoek staat.")
    services.register_time(case, by=world.alice, **time_payload())
    page.goto(f"/casussen/{case.pk}/")


def _case_new_with_errors(page, world):
    page.goto("/casussen/nieuw/")
    submit(page, "Casus openen")


def _cost_overview_filtered(page, world):
    page.goto("/kostenoverzicht/")
    page.get_by_label("Leefgebied").select_option("jeugd")
    expect(page.get_by_text("2 kostenposten gevonden.")).to_be_visible()
    page.locator("table.mw-catalogue input[type=checkbox]").first.check()
    page.get_by_role("button", name="Vergelijken").click()
    expect(page.get_by_role("heading", name="Vergelijken", level=2)).to_be_visible()


def _business_case_editor(page, world):
    from maatwerk.businesscases import services
    from maatwerk.businesscases.tests.factories import case_for, childcare_plan

    case = case_for(world.alice, world.team_a)
    services.save_version(case, by=world.alice, plan=childcare_plan())
    page.goto(f"/businesscases/case/{case.pk}/")
    expect(page.get_by_test_id("net")).to_be_visible()


def _value_triangle_with_errors(page, world):
    from maatwerk.businesscases.tests.factories import case_for

    case = case_for(world.alice, world.team_a)
    page.goto(f"/businesscases/case/{case.pk}/waardendriehoek/")
    submit(page, "Opslaan")


def _budget_overview(page, world):
    from maatwerk.budgets.tests.factories import make_budget, make_case, request, standard_mandates

    standard_mandates(world.eindhoven)
    make_budget(world, amount="1000.00")
    request(world.alice, make_case(world.team_a), "120.00")
    page.goto("/budget/")


def _budget_detail(page, world):
    from maatwerk.budgets.tests.factories import make_budget, make_case, request, standard_mandates

    standard_mandates(world.eindhoven)
    budget = make_budget(world, amount="1000.00")
    request(world.alice, make_case(world.team_a), "120.00")
    page.goto(f"/budget/{budget.pk}/")


def _payments(page, world):
    # An approved transfer waiting for export, and one exported batch: both tables and the SEPA form.
    from django.utils import timezone

    from maatwerk.budgets import services
    from maatwerk.budgets.tests.factories import make_budget, make_case, request, standard_mandates

    standard_mandates(world.eindhoven)
    make_budget(world, amount="1000.00")
    case = make_case(world.team_a)
    for amount in ("120.00", "80.00"):
        services.approve_spend(request(world.alice, case, amount), by=world.dave)
        if amount == "120.00":
            services.export_payment_batch(
                by=world.adam,
                municipality=world.eindhoven,
                debtor_name="Gemeente Eindhoven",
                debtor_iban="NL02ABNA0123456789",
                execution_date=timezone.localdate(),
            )
    page.goto("/budget/betalingen/")


def _spend_request_with_errors(page, world):
    from maatwerk.budgets.tests.factories import make_budget, make_case

    make_budget(world, amount="1000.00")
    page.goto(f"/budget/aanvragen/nieuw/{make_case(world.team_a).pk}/")
    submit(page, "Aanvraag indienen")


def _mandates(page, world):
    from maatwerk.budgets.tests.factories import standard_mandates

    standard_mandates(world.eindhoven, bb_user=world.lars)
    page.goto("/budget/mandaten/")


def _mandate_new_with_errors(page, world):
    page.goto(f"/budget/mandaten/{world.eindhoven.pk}/nieuw/")
    page.get_by_label("mag goedkeuren tot en met").fill("veel")
    submit(page, "Opslaan")


def _spend_request_with_route_hint(page, world):
    from maatwerk.budgets.tests.factories import make_budget, make_case, standard_mandates

    standard_mandates(world.eindhoven)
    make_budget(world, amount="10000.00")
    page.goto(f"/budget/aanvragen/nieuw/{make_case(world.team_a).pk}/")
    htmx_ready(page)
    with page.expect_response(lambda r: "/goedkeurder/" in r.url and "amount=3000" in r.url):
        page.locator("#id_amount").fill("3000")
    page.get_by_text("Dit bedrag").wait_for()
    page.locator("details.mw-ladder summary").click()


def _approvals(page, world):
    from maatwerk.budgets.tests.factories import make_budget, make_case, request, standard_mandates

    standard_mandates(world.eindhoven)
    make_budget(world, amount="1000.00")
    request(world.alice, make_case(world.team_a), "120.00")
    page.goto("/budget/goedkeuren/")


def _barrier_register(page, world):
    from maatwerk.barriers.tests.factories import case_for, childcare_barrier

    childcare_barrier(world, case=case_for(world))
    childcare_barrier(world, title="Huurtoeslag stopt bij inwonend kind", legal_provision="art. 9 Wht")
    page.goto("/knelpunten/")


def _barrier_detail(page, world):
    from maatwerk.barriers.tests.factories import answered, case_for, childcare_barrier

    barrier = childcare_barrier(world, case=case_for(world))
    answered(barrier, world.lars)
    page.goto(f"/knelpunten/{barrier.pk}/")


def _barrier_new_with_errors(page, world):
    page.goto("/knelpunten/nieuw/")
    submit(page, "Registreren")


def _national_register(page, world):
    from maatwerk.barriers.tests.factories import case_for, childcare_barrier

    childcare_barrier(world, case=case_for(world))
    utrecht_case = case_for(
        world, by=world.carol, team=world.team_c, name="Oosterhout", first_name="Gerrit", bsn="123456782"
    )
    childcare_barrier(world, by=world.carol, case=utrecht_case, legal_provision="Artikel 30 AWIR")
    page.goto("/knelpunten/landelijk/")


def _dashboard_figures(world):
    """Cases of both municipalities in the dashboards' tables, with business cases, follow-ups and grades,
    and a small group that the policy and programme pages hide."""
    import datetime

    from maatwerk.insights.tests.facts import fact, save
    from maatwerk.insights.tests.test_dashboard import bc

    facts = []
    for i, team in enumerate([world.team_a] * 24 + [world.team_b] * 4 + [world.team_c] * 14):
        closed = i % 3 == 0
        facts.append(
            fact(
                team,
                status="closed" if closed else ("intake", "plan", "execution")[i % 3],
                opened=datetime.date(2026, 1 + i % 6, 1),
                closed_month=datetime.date(2026, 7, 1) if closed else None,
                closed_n=int(closed),
                duration_days=120 + i if closed else 0,
                duration_days_sq=float((120 + i) ** 2) if closed else 0,
                duration_days_cu=float((120 + i) ** 3) if closed else 0,
                kind="rent_arrears" if i % 2 else "",
                **{f"grade_{7 + i % 3}": 1},
                **bc(800.0 * (i % 5) - 400.0),
            )
        )
    save(facts)


def _dashboard(page, world):
    _dashboard_figures(world)
    page.goto("/dashboard/")


def _stories_voices(world):
    """Voices of three groups with the flags of the programme's own evaluation (policy quoted, clients and
    workers heard but hardly), a group too small for policy, and learning points of twelve workers."""
    import itertools

    from maatwerk.cases.models import RespondentGroup, Voice
    from maatwerk.insights.tests.test_stories import heard, theme, voice

    rules, work = theme("regels die knellen", "rule_clash"), theme("werkdruk")
    heard(world, team=world.team_a, clients=60, workers=44, policy=12, team_leads=3)
    for i in range(10):
        voice(world, group=RespondentGroup.POLICY, respondent=f"policy:{i}", themes=[work])
    voice(world, tone="critical", respondent="client:1", shared="Niemand belde terug toen het misging.")
    voice(world, group=RespondentGroup.TEAM_LEAD, tone="mixed", respondent="lead:1")
    for i, kind in itertools.product(
        range(12), (Voice.Kind.LEARNING_POINT, Voice.Kind.DILEMMA, Voice.Kind.NEED)
    ):
        voice(world, group=RespondentGroup.WORKER, kind=kind, respondent=f"worker:{i}", themes=[rules, work])


def _stories(page, world):
    _stories_voices(world)
    page.goto("/verhalen/")


def _learning_points(page, world):
    _stories_voices(world)
    page.goto("/verhalen/leerpunten/")


def _story_report_flagged(world):
    """The programme's situation: ten project-group quotes chosen, 104 clients and workers heard."""
    from maatwerk.cases.models import RespondentGroup
    from maatwerk.insights.stories.reports import services
    from maatwerk.insights.tests.test_story_reports import heard, voice

    heard(world, clients=60, workers=44, policy=10)
    voice(world, RespondentGroup.CLIENT, team=world.team_a)
    report = services.create_report(by=world.erin, title="Reflectiebijeenkomst maart")
    for _ in range(10):
        services.select_voice(
            report, voice(world, RespondentGroup.POLICY, "positive"), by=world.erin, reason="Goed verwoord."
        )
    return report


def _story_report(page, world):
    page.goto(f"/verhalen/verslagen/{_story_report_flagged(world).pk}/")


def _story_reports(page, world):
    _story_report_flagged(world)
    page.goto("/verhalen/verslagen/")


def _story_select_with_errors(page, world):
    # The select control lives on the stories page's cards; sent without a reason, the view shows it
    # again with the errors at its fields.
    from maatwerk.cases.models import RespondentGroup
    from maatwerk.insights.tests.test_story_reports import heard, voice

    heard(world, clients=60)
    story = voice(world, RespondentGroup.CLIENT, team=world.team_a)
    page.goto("/verhalen/verslagen/")
    with page.expect_navigation():
        page.evaluate(
            """voice => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = "/verhalen/verslagen/kiezen/";
                const fields = {voice, report: "new", reason: "", csrfmiddlewaretoken:
                    document.querySelector("input[name=csrfmiddlewaretoken]").value};
                for (const [name, value] of Object.entries(fields)) {
                    const input = document.createElement("input");
                    input.type = "hidden"; input.name = name; input.value = value;
                    form.append(input);
                }
                document.body.append(form);
                form.submit();
            }""",
            story.pk,
        )
    page.get_by_text("Reden voor de keuze:").first.wait_for()


def _research_request(world, export_state=None, **export):
    import datetime

    from django.utils import timezone

    from maatwerk.research.models import ResearchExport
    from maatwerk.research.tests.factories import ask

    request = ask(world, municipalities=[world.eindhoven.pk, world.utrecht.pk])
    if export_state:
        # Written directly: the audit is about the page, not the job (which the research tests cover).
        ResearchExport.objects.create(
            request=request,
            state=export_state,
            key=b"k" * 32,
            attempt=1,
            expires_at=timezone.now() + datetime.timedelta(days=30),
            **export,
        )
    return request


def _research_new_with_errors(page, world):
    page.goto("/onderzoek/nieuw/")
    submit(page, "Aanvraag versturen")


def _research_running(page, world):
    request = _research_request(world, "running", stage="cases", progress_done=40, progress_total=100)
    page.goto(f"/onderzoek/{request.pk}/")


def _research_done(page, world):
    request = _research_request(
        world, "done", file_name="1/onderzoek-1.zip", size_bytes=2048, sha256="0" * 64
    )
    page.goto("/onderzoek/")
    page.goto(f"/onderzoek/{request.pk}/")


def _research_failed(page, world):
    request = _research_request(world, "failed", error="internal")
    page.goto(f"/onderzoek/{request.pk}/")


def _research_decide(page, world):
    request = _research_request(world)
    page.goto("/onderzoek/")
    page.goto(f"/onderzoek/{request.pk}/")


AUDITS = {
    "login": Audit(None, _login_page),
    "home": Audit("alice", _home),
    "case-list": Audit("alice", _case_list),
    "case-detail": Audit("alice", _case_detail),
    "case-new-errors": Audit("alice", _case_new_with_errors),
    "cost-overview-filtered": Audit("alice", _cost_overview_filtered),
    "business-case-editor": Audit("alice", _business_case_editor),
    "value-triangle-errors": Audit("alice", _value_triangle_with_errors),
    "budget-overview": Audit("adam", _budget_overview),
    "budget-detail": Audit("adam", _budget_detail),
    "payments": Audit("adam", _payments),
    "spend-request-errors": Audit("alice", _spend_request_with_errors),
    "spend-request-route-hint": Audit("alice", _spend_request_with_route_hint),
    "approvals": Audit("dave", _approvals),
    "mandates": Audit("adam", _mandates),
    "mandate-new-errors": Audit("adam", _mandate_new_with_errors),
    "barrier-register": Audit("alice", _barrier_register),
    "barrier-detail": Audit("alice", _barrier_detail),
    "barrier-new-errors": Audit("alice", _barrier_new_with_errors),
    "national-register": Audit("pat", _national_register),
    "dashboard-team": Audit("dave", _dashboard),
    "dashboard-policy": Audit("erin", _dashboard),
    "dashboard-programme": Audit("pat", _dashboard),
    "stories-policy": Audit("erin", _stories),
    "stories-team": Audit("dave", _stories),
    "learning-points": Audit("pat", _learning_points),
    "story-reports": Audit("erin", _story_reports),
    "story-report-flagged": Audit("erin", _story_report),
    "story-select-errors": Audit("erin", _story_select_with_errors),
    "research-new-errors": Audit("rita", _research_new_with_errors),
    "research-running": Audit("rita", _research_running),
    "research-done": Audit("rita", _research_done),
    "research-failed": Audit("rita", _research_failed),
    "research-decide": Audit("erin", _research_decide),
}


@pytest.mark.parametrize("name", list(AUDITS))
def test_page_has_no_wcag_a_or_aa_violations(page, world, name):
    audit = AUDITS[name]
    statuses = []  # of the pages loaded: auditing a 403 or 404 page instead would prove nothing
    page.on("response", lambda r: r.request.is_navigation_request() and statuses.append(r.status))
    page.set_viewport_size(DESKTOP)
    if audit.user:
        log_in(page, audit.user)
    audit.visit(page, world)
    htmx_ready(page)  # audit the page as it stands, not halfway through an htmx swap
    assert statuses and statuses[-1] in (200, 400, 422), f"{page.url} answered {statuses}"
    problems = []
    if violations := axe_violations(page):
        problems.append(f"axe, {DESKTOP['width']} px wide:\n{report(violations)}")
    page.set_viewport_size(NARROW)
    settled(page)
    if violations := axe_violations(page):
        problems.append(f"axe, {NARROW['width']} px wide:\n{report(violations)}")
    if wide := wider_than_viewport(page):
        problems.append(
            f"reflow (WCAG 1.4.10): the page scrolls sideways at 320 px; too wide: {', '.join(wide)}"
        )
    assert not problems, f"{page.url}\n" + "\n".join(problems)


def test_an_untouched_required_field_does_not_look_like_an_error(page, world):
    # Utrecht styles the browser's :invalid like a server-side error; before anything was sent an empty
    # required field must look like any other field, and only an aria-invalid field like an error.
    log_in(page, "alice")
    page.goto("/knelpunten/nieuw/")
    htmx_ready(page)

    def border(selector):
        return page.eval_on_selector(selector, "e => getComputedStyle(e).borderBlockEndColor")

    assert page.locator("textarea[required]").count() >= 1
    untouched = border("textarea[required]")
    page.eval_on_selector("textarea[required]", "e => e.removeAttribute('required')")
    assert border("textarea") == untouched
    submit(page, "Registreren")
    assert border('textarea[aria-invalid="true"]') != untouched
