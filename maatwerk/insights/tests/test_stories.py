"""The stories pages as each role meets them: only shared voices and only their shared text, the sample in
proportion to who was heard with the critical voices in it, small groups hidden for the protected roles,
the scope per role, the voice-balance flags, and the learning points for professionals.

Voices are direct rows in state SHARED (the anonymiser is not the point here); the respondents they are
weighed against come from conversations' participant counts."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from maatwerk.accounts.models import AccessLog
from maatwerk.cases.models import Conversation, RespondentGroup, Theme, Voice
from maatwerk.cases.services.voices import withdraw_consent
from maatwerk.insights.audience import audience
from maatwerk.insights.stories import draw, learning, source
from maatwerk.insights.stories.forms import default_seed

pytestmark = pytest.mark.django_db
PAGE, ALL, LEARNING = reverse("stories:list"), reverse("stories:all"), reverse("stories:learning")
API = "/api/v1/voices"
DAY = datetime.date(2026, 3, 10)
_numbers = itertools.count(1)


def heard(world, *, team=None, municipality=None, on=DAY, **counts) -> Conversation:
    """A conversation at which `counts` people per group (clients=20, team_leads=3...) were heard."""
    return Conversation.objects.create(
        municipality=municipality or team.municipality,
        team=team,
        kind=Conversation.Kind.INTERVIEW,
        held_on=on,
        context="Gesprek over de wijk.",
        recorded_by=world.dave,
        **counts,
    )


def theme(name="werkdruk", barrier_type="") -> Theme:
    found, _ = Theme.objects.get_or_create(name=name, defaults={"barrier_type": barrier_type})
    if found.barrier_type != barrier_type:
        found.barrier_type = barrier_type
        found.save()
    return found


def voice(
    world,
    *,
    team=None,
    municipality=None,
    group=RespondentGroup.CLIENT,
    tone="positive",
    kind=Voice.Kind.QUOTE,
    respondent=None,
    shared=None,
    text=None,
    themes=(),
    said_on=DAY,
    state=Voice.State.SHARED,
) -> Voice:
    n = next(_numbers)
    team = team if team is not None or municipality is not None else world.team_a
    v = Voice.objects.create(
        municipality=municipality or team.municipality,
        team=team,
        group=group,
        role="ervaringsdeskundige" if group == RespondentGroup.CLIENT else "",
        respondent=respondent or f"test:{n}",
        kind=kind,
        text=text or f"Wat werkelijk gezegd werd {n}, met namen.",
        shared_text=shared or f"Gedeelde uitspraak {n}.",
        tone=tone,
        said_on=said_on,
        consent=True,
        state=state,
        recorded_by=world.alice,
    )
    v.themes.set(themes)
    return v


def shown_ids(response) -> set[int]:
    return {v.pk for v in response.context["sample"].voices}


# --- only shared voices, only their shared text ----------------------------------------------------------


def test_page_shows_only_shared_voices_and_never_what_was_said(world, client_for):
    heard(world, team=world.team_a, clients=20)
    shared = voice(
        world, shared="De wijkcoach luisterde echt.", text="Jan de Vries zei: de wijkcoach luisterde."
    )
    pending = voice(world, state=Voice.State.PENDING, shared="Nog niet nagekeken.")
    review = voice(world, state=Voice.State.REVIEW, shared="Wacht op controle.")
    withdrawn = voice(world, shared="Teruggetrokken uitspraak.")
    Voice.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    for user in (world.dave, world.erin, world.pat, world.rita):
        r = client_for(user).get(PAGE)
        assert r.status_code == 200
        body = r.content.decode()
        assert shown_ids(r) == {shared.pk}
        assert "De wijkcoach luisterde echt." in body
        assert "Jan de Vries" not in body
        for hidden in ("Nog niet nagekeken", "Wacht op controle", "Teruggetrokken"):
            assert hidden not in body
        listed = client_for(user).get(ALL).content.decode()
        assert "De wijkcoach luisterde echt." in listed and "Jan de Vries" not in listed
        assert pending.pk and review.pk  # rows exist, and are in no view


def test_a_withdrawn_voice_disappears_from_page_list_and_api_at_once(world, client_for):
    heard(world, team=world.team_a, clients=20)
    v = voice(world, shared="Eindelijk iemand die doorpakte.")
    keep = voice(world, shared="Het ging te langzaam.", tone="critical")
    c = client_for(world.erin)
    assert v.pk in shown_ids(c.get(PAGE))
    assert "Eindelijk iemand" in c.get(ALL).content.decode()
    assert v.pk in {item["id"] for item in c.get(API).json()["items"]}

    withdraw_consent(v, by=world.alice)

    assert shown_ids(c.get(PAGE)) == {keep.pk}
    assert "Eindelijk iemand" not in c.get(ALL).content.decode()
    assert [item["id"] for item in c.get(API).json()["items"]] == [keep.pk]
    assert v.pk not in c.get(f"{API}/indicator").json()["sample"]


# --- the sample ---------------------------------------------------------------------------------------


def test_the_samples_groups_follow_the_respondents_not_the_quotes(world, client_for):
    # 90 clients heard, 30 of them quoted; 10 project-group members heard, each quoted three times. By the
    # quotes policy would fill half the page; by who was heard it gets 12 * 10/100 = 1.2 places: 1 or 2.
    heard(world, municipality=world.eindhoven, clients=90, policy=10)
    for i in range(30):
        voice(world, municipality=world.eindhoven, group=RespondentGroup.CLIENT, respondent=f"client:{i}")
        for _ in range(3):
            voice(
                world,
                municipality=world.eindhoven,
                group=RespondentGroup.POLICY,
                respondent=f"policy:{i % 10}",
            )
    for seed in (1, 2, 3):
        r = client_for(world.erin).get(PAGE, {"seed": seed})
        groups = [v.group for v in r.context["sample"].voices]
        assert len(groups) == 12
        assert groups.count(RespondentGroup.POLICY) in (1, 2)
        assert groups.count(RespondentGroup.CLIENT) in (10, 11)


def test_the_same_seed_gives_the_same_sample_and_another_draw_another_seed(world, client_for):
    heard(world, team=world.team_a, clients=40)
    for i in range(40):
        voice(world, respondent=f"client:{i}")
    c = client_for(world.dave)
    first, again = c.get(PAGE), c.get(PAGE)
    assert [v.pk for v in first.context["sample"].voices] == [v.pk for v in again.context["sample"].voices]
    assert first.context["sample"].seed == default_seed()
    other = first.context["another_draw"]
    assert "seed=" in other and f"seed={first.context['sample'].seed}" not in other
    assert c.get(PAGE + other).status_code == 200


def test_critical_voices_are_always_in_the_sample(world, client_for):
    heard(world, team=world.team_a, clients=60)
    for i in range(59):
        voice(world, respondent=f"client:{i}")
    critical = voice(world, tone="critical", respondent="client:59", shared="Niemand belde terug.")
    c = client_for(world.dave)
    for seed in range(1, 8):
        r = c.get(PAGE, {"seed": seed})
        assert critical.pk in shown_ids(r)
    assert "Niemand belde terug." in r.content.decode()


# --- scope and small groups ----------------------------------------------------------------------------


def test_small_groups_are_hidden_for_policy_programme_and_researcher_but_shown_to_the_team_lead(
    world, client_for
):
    heard(world, team=world.team_a, clients=20, team_leads=3)
    voice(world, shared="Een cliënt over de hulp.")
    lead = voice(
        world, group=RespondentGroup.TEAM_LEAD, tone="critical", shared="Als teamleider zie ik de druk."
    )
    for user in (world.erin, world.pat, world.rita):
        c = client_for(user)
        r = c.get(PAGE)
        body = r.content.decode()
        assert lead.pk not in shown_ids(r)
        assert "Als teamleider" not in body
        hidden_note = body.split("Te weinig respondenten om te tonen:")[1].split("</p>")[0]
        assert "teamleiders" in hidden_note and "cliënten" not in hidden_note
        assert "Als teamleider" not in c.get(ALL).content.decode()
        assert "Als teamleider" not in c.get(ALL, {"group": "team_lead"}).content.decode()
        assert lead.pk not in {i["id"] for i in c.get(API).json()["items"]}
        assert "team_lead" not in {row["group"] for row in c.get(f"{API}/indicator").json()["rows"]}
    r = client_for(world.dave).get(PAGE)
    assert lead.pk in shown_ids(r)
    assert "Als teamleider zie ik de druk." in r.content.decode()
    assert "Te weinig respondenten" not in r.content.decode()


def test_team_lead_sees_only_the_own_team(world, client_for):
    heard(world, team=world.team_a, clients=20)
    heard(world, team=world.team_b, clients=20)
    own = voice(world, team=world.team_a, shared="Van team A.")
    voice(world, team=world.team_b, shared="Van team B.")
    voice(world, municipality=world.eindhoven, shared="Van de gemeente.")
    c = client_for(world.dave)
    r = c.get(PAGE)
    assert shown_ids(r) == {own.pk}
    assert "Van team B." not in c.get(ALL).content.decode()
    refused = c.get(PAGE, {"team": world.team_b.pk})
    assert refused.status_code == 400 and "team" in refused.context["form"].errors
    assert c.get(API, {"team": world.team_b.pk}).status_code == 422


def test_policy_of_eindhoven_never_sees_utrechts_voices(world, client_for):
    heard(world, team=world.team_a, clients=20)
    heard(world, team=world.team_c, clients=20)
    voice(world, team=world.team_a, shared="Uit Eindhoven.")
    utrecht = voice(world, team=world.team_c, shared="Uit Utrecht.")
    c = client_for(world.erin)
    for params in ({}, {"municipality": world.utrecht.pk}):
        r = c.get(PAGE, params)
        assert r.status_code == 200
        assert utrecht.pk not in shown_ids(r)
        assert "Uit Utrecht." not in r.content.decode()
        assert "Uit Utrecht." not in c.get(ALL, params).content.decode()
        assert utrecht.pk not in {i["id"] for i in c.get(API, params).json()["items"]}
    assert c.get(PAGE, {"team": world.team_c.pk}).status_code == 400
    # The programme sees both, with the municipality named on each quote.
    r = client_for(world.pat).get(PAGE)
    assert utrecht.pk in shown_ids(r) and "Utrecht" in r.content.decode()


@pytest.mark.parametrize("path", [PAGE, ALL, LEARNING, API, f"{API}/indicator"])
def test_worker_legal_checker_and_admin_get_403(world, client_for, path):
    for user in (world.alice, world.lars, world.adam):
        assert client_for(user).get(path).status_code == 403


def test_themes_are_for_every_logged_in_user(world, client_for):
    theme("regels die knellen", "rule_clash")
    body = client_for(world.alice).get(f"{API}/themes").json()
    assert {"id", "name", "name_en", "description", "barrier_type"} <= set(body[0])
    assert any(t["barrier_type"] == "rule_clash" for t in body)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"period_from": "2026-13"}, "period_from"),
        ({"period_from": "2026-05", "period_to": "2026-01"}, "period_to"),
        ({"group": "burgemeester"}, "group"),
        ({"tone": "boos"}, "tone"),
        ({"theme": "999999"}, "theme"),
        ({"seed": "0"}, "seed"),
        ({"seed": "abc"}, "seed"),
    ],
)
def test_bad_filters_get_400_on_the_page_and_422_in_the_api_naming_the_field(
    world, client_for, params, field
):
    c = client_for(world.pat)
    for path in (PAGE, ALL, LEARNING):
        r = c.get(path, params)
        assert r.status_code == 400, path
        assert field in r.context["form"].errors
        assert (
            r.context["form"]
            .errors[field][0]
            .startswith(("Kies", "Vul", "Voer", "De", "Selecteer", "Geef", "Zorg"))
        )
    for path in (API, f"{API}/indicator"):
        if field == "seed" and path == API:
            continue
        r = c.get(path, params)
        assert r.status_code == 422, path
        assert field in r.json()["errors"]


def test_the_filters_narrow_the_quotes_and_stay_in_the_url(world, client_for):
    heard(world, team=world.team_a, clients=20)
    work = theme("werkdruk")
    old = voice(world, said_on=datetime.date(2025, 11, 3), shared="Vorig jaar.")
    critical = voice(world, tone="critical", themes=[work], shared="Te veel dossiers.")
    c = client_for(world.dave)
    assert shown_ids(c.get(PAGE, {"period_from": "2026-01"})) == {critical.pk}
    assert shown_ids(c.get(PAGE, {"tone": "critical"})) == {critical.pk}
    assert shown_ids(c.get(PAGE, {"theme": work.pk})) == {critical.pk}
    assert shown_ids(c.get(PAGE, {"period_to": "2025-12"})) == {old.pk}
    assert 'value="2026-01"' in c.get(PAGE, {"period_from": "2026-01"}).content.decode()


def test_every_view_is_logged_with_the_level_and_no_filters_that_could_name_anyone(world, client_for):
    heard(world, team=world.team_a, clients=20)
    voice(world)
    client_for(world.erin).get(PAGE, {"period_from": "2026-01", "seed": "7"})
    client_for(world.erin).get(ALL)
    client_for(world.erin).get(LEARNING)
    rows = list(AccessLog.objects.filter(object_type="insights.stories").order_by("id"))
    assert [r.purpose for r in rows] == [
        "stories (municipality)",
        "stories (municipality): all quotes",
        "stories (municipality): learning points",
    ]
    assert rows[0].path == PAGE and rows[0].household_id is None


def test_the_list_is_paginated_by_25(world, client_for):
    heard(world, team=world.team_a, clients=40)
    for i in range(30):
        voice(world, respondent=f"client:{i}")
    c = client_for(world.dave)
    first = c.get(ALL)
    assert len(first.context["voices"]) == 25 and first.context["page"].has_next()
    second = c.get(ALL, {"page": 2})
    assert len(second.context["voices"]) == 5
    assert not {v.pk for v in first.context["voices"]} & {v.pk for v in second.context["voices"]}
    api = c.get(API, {"page": 2}).json()
    assert len(api["items"]) == 5 and not api["has_next"]


# --- the voice-balance indicator -------------------------------------------------------------------------


def test_the_programmes_own_situation_is_flagged_on_the_page(world, client_for):
    # The evaluation: 10 project-group members quoted, 104 clients and workers heard and not one quoted.
    heard(world, municipality=world.eindhoven, clients=60, workers=44, policy=10)
    for i in range(10):
        voice(world, municipality=world.eindhoven, group=RespondentGroup.POLICY, respondent=f"policy:{i}")
    r = client_for(world.erin).get(PAGE)
    body = r.content.decode()
    assert r.context["indicator"].flagged
    assert "Kijk nog eens" in body
    assert "De cliënten (huishoudens) zijn 53 % van de gehoorde mensen, maar er staat geen enkel" in body
    assert "De sociaal werkers zijn 39 % van de gehoorde mensen" in body
    assert "hebben 100 % van de citaten, maar zijn 9 % van de gehoorde mensen" in body
    api = client_for(world.erin).get(f"{API}/indicator").json()
    assert api["flags"] == r.context["indicator"].messages and len(api["flags"]) == 3
    rows = {row["group"]: row for row in api["rows"]}
    assert rows["policy"]["quotes"] == 10 and rows["policy"]["quote_share"] == 1.0
    assert rows["client"]["respondents"] == 60 and rows["client"]["quotes"] == 0


def test_the_api_indicator_is_the_one_of_the_page_for_the_same_seed(world, client_for):
    heard(world, team=world.team_a, clients=30, workers=12)
    for i in range(20):
        voice(world, respondent=f"client:{i}", tone=("positive", "critical", "mixed")[i % 3])
        voice(world, group=RespondentGroup.WORKER, respondent=f"worker:{i % 12}")
    c = client_for(world.dave)
    page = c.get(PAGE, {"seed": 42})
    api = c.get(f"{API}/indicator", {"seed": 42}).json()
    assert api["seed"] == 42
    assert api["sample"] == [v.pk for v in page.context["sample"].voices]
    assert [row["quotes"] for row in api["rows"]] == [row.quotes for row in page.context["indicator"].rows]


def test_the_api_lists_quotes_with_their_shared_text_only(world, client_for):
    heard(world, team=world.team_a, clients=20)
    work = theme("werkdruk")
    v = voice(world, themes=[work], shared="Gedeeld.", text="Geheim met naam.")
    item = client_for(world.pat).get(API).json()["items"][0]
    assert item == {
        "id": v.pk,
        "group": "client",
        "role": "ervaringsdeskundige",
        "kind": "quote",
        "tone": "positive",
        "themes": [{"id": work.pk, "name": "werkdruk"}],
        "said_month": "2026-03",
        "municipality": "Eindhoven",
        "text": "Gedeeld.",
    }


# --- learning points for professionals ------------------------------------------------------------------


def test_learning_points_are_grouped_by_theme_with_counts_examples_and_the_barrier_link(world, client_for):
    rules = theme("regels die knellen", "rule_clash")
    work = theme("werkdruk")
    heard(world, team=world.team_a, workers=12)
    for i in range(3):
        voice(
            world,
            group=RespondentGroup.WORKER,
            kind=Voice.Kind.LEARNING_POINT,
            respondent=f"w:{i}",
            themes=[rules],
            shared=f"Geleerd over regels {i}.",
        )
    voice(
        world,
        group=RespondentGroup.WORKER,
        kind=Voice.Kind.DOUBT,
        respondent="w:1",
        themes=[work],
        shared="Twijfel over de tijd.",
    )
    voice(
        world,
        group=RespondentGroup.WORKER,
        kind=Voice.Kind.DILEMMA,
        respondent="w:2",
        themes=[work],
        shared="Dilemma over redden.",
    )
    voice(
        world, group=RespondentGroup.WORKER, kind=Voice.Kind.NEED, respondent="w:3", shared="Meer intervisie."
    )
    voice(world, group=RespondentGroup.CLIENT, kind=Voice.Kind.QUOTE, themes=[rules], shared="Geen leerpunt.")

    r = client_for(world.dave).get(LEARNING)
    assert r.status_code == 200
    sections = {s.slug: s for s in r.context["sections"]}
    learned = sections["learned"].themes
    assert [(p.name, p.workers, p.quotes, len(p.examples)) for p in learned] == [
        ("regels die knellen", 3, 3, 2)
    ]
    assert learned[0].barrier_url == "/knelpunten/?type=rule_clash"
    chafes = sections["chafes"].themes
    assert [(p.name, p.workers, p.quotes) for p in chafes] == [("werkdruk", 2, 2)]
    assert chafes[0].barrier_url == ""
    assert [(p.name, p.quotes) for p in sections["needs"].themes] == [("zonder thema", 1)]
    body = r.content.decode()
    assert "Wat professionals leerden" in body and "Wat nog knelt" in body and "Wat ze nodig hebben" in body
    assert 'href="/knelpunten/?type=rule_clash"' in body
    assert "Geen leerpunt." not in body
    assert "Twijfel over de tijd." in body
    # Filtered on one theme: only that theme, also for voices that have others too.
    voice(
        world,
        group=RespondentGroup.WORKER,
        kind=Voice.Kind.LEARNING_POINT,
        respondent="w:4",
        themes=[rules, work],
    )
    narrowed = client_for(world.dave).get(LEARNING, {"theme": work.pk}).context["sections"]
    assert [[p.name for p in s.themes] for s in narrowed] == [["werkdruk"], ["werkdruk"], []]
    # The stories page has the same section.
    assert "Wat nog knelt" in client_for(world.dave).get(PAGE).content.decode()


def test_learning_points_count_a_small_theme_as_under_10_for_policy_and_link_the_programme_nationally(
    world, client_for
):
    rules = theme("regels die knellen", "rule_clash")
    work = theme("werkdruk")
    heard(world, team=world.team_a, workers=20)
    for i in range(12):
        voice(
            world,
            group=RespondentGroup.WORKER,
            kind=Voice.Kind.LEARNING_POINT,
            respondent=f"w:{i}",
            themes=[rules],
        )
    for i in range(3):
        voice(
            world,
            group=RespondentGroup.WORKER,
            kind=Voice.Kind.LEARNING_POINT,
            respondent=f"w:{i}",
            themes=[work],
            shared=f"Weinigen over werkdruk {i}.",
        )
    sections = learning.learning_points(audience(world.erin, stories=True), source.StoryFilters())
    learned = next(s for s in sections if s.slug == "learned")
    # The workers as a group were heard often enough (20); a theme of three of them is shown, its counts
    # not: "<10", like the dashboards' small cells.
    assert [(p.name, p.workers, p.quotes) for p in learned.themes] == [
        ("regels die knellen", 10, 10),
        ("werkdruk", "<10", "<10"),
    ]
    body = client_for(world.erin).get(LEARNING).content.decode()
    assert "Weinigen over werkdruk" in body and "professionals: &lt;10, citaten: &lt;10" in body
    assert 'href="/knelpunten/?type=rule_clash"' in body
    national = client_for(world.pat).get(LEARNING).content.decode()
    assert 'href="/knelpunten/landelijk/?type=rule_clash"' in national
    # The researcher does not read the barrier register: no link.
    assert "?type=rule_clash" not in client_for(world.rita).get(LEARNING).content.decode()
    # The team lead sees the small theme.
    lead = learning.learning_points(audience(world.dave, stories=True), source.StoryFilters())
    assert [p.name for p in lead[0].themes] == ["regels die knellen", "werkdruk"]


def test_the_sample_shows_a_sentence_once_when_two_people_said_it(world, client_for):
    heard(world, team=world.team_a, workers=12)
    for i in range(6):
        voice(
            world,
            group=RespondentGroup.WORKER,
            respondent=f"w:{i}",
            shared="Mijn teamleider staat achter me." if i < 4 else f"Eigen woorden {i}.",
        )
    sample = draw.draw(audience(world.dave, stories=True), source.StoryFilters(), seed=3, size=3)
    texts = [v.shared_text for v in sample.voices]
    assert len(texts) == 3 and texts.count("Mijn teamleider staat achter me.") == 1
