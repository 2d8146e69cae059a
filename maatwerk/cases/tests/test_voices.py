"""The voices pages: closing with a shared quote, the worker's check of the de-identified version, consent
withdrawal, and conversations recorded by team leads and policy.

The closing and the review run the real anonymiser (the ImmediateBackend runs the task at once; deduce is
loaded once per test process).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from maatwerk.accounts.models import AccessLog
from maatwerk.cases import services
from maatwerk.cases.models import Conversation, Feedback, Status, Tone, Voice

from .factories import case_in, household_of_two, seed_themes

pytestmark = pytest.mark.django_db

QUOTE = "Mevrouw Verhoeven en haar zoon Daan zijn eindelijk geholpen; de CAK-schuld is van tafel."


@pytest.fixture
def themes(db):
    return seed_themes()


def close_form(themes, **extra):
    return {
        "goal_reached": "yes",
        "grade": "8",
        "quote": QUOTE,
        "quote_consent": "on",
        "quote_tone": Tone.CRITICAL,
        "quote_themes": [str(themes[0].pk)],
        "tone": Tone.MIXED,
        **extra,
    }


@pytest.fixture
def closed_with_quote(world, client_for, themes):
    case = household_of_two(world)
    response = client_for(world.alice).post(reverse("cases:close", args=[case.pk]), close_form(themes))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:voices", args=[case.pk])
    return case, Voice.objects.get(case=case)


# --- closing ------------------------------------------------------------------------------------------------


def test_closing_with_a_consented_quote_leaves_no_household_name_in_the_shared_text(world, closed_with_quote):
    case, voice = closed_with_quote
    assert voice.state == Voice.State.REVIEW and voice.text == QUOTE
    assert voice.tone == Tone.CRITICAL and voice.themes.count() == 1
    for name in ("Verhoeven", "Daan", "Sanne"):
        assert name not in voice.shared_text
    assert "CAK" in voice.shared_text  # agencies stay: they are what the story is about


def test_the_voices_page_shows_the_suggestion_to_check(world, client_for, closed_with_quote):
    case, voice = closed_with_quote
    body = client_for(world.alice).get(reverse("cases:voices", args=[case.pk])).content.decode()
    assert f">\n{escape(voice.shared_text)}</textarea>" in body  # prefilled, to correct
    assert "Controleren en delen" in body and "Toestemming intrekken" in body
    assert AccessLog.objects.filter(user=world.alice, purpose="case voices", household_id=case.household_id)


def test_a_consented_quote_without_theme_is_refused_at_the_themes(world, client_for, themes):
    case = household_of_two(world)
    response = client_for(world.alice).post(
        reverse("cases:close", args=[case.pk]), close_form(themes, quote_themes=[])
    )
    assert response.status_code == 400
    assert 'id="id_quote_themes_error"' in response.content.decode()
    assert case.voices.count() == 0
    assert case.__class__.objects.get(pk=case.pk).status == Status.EXECUTION


def test_a_shared_reflection_without_theme_is_refused_at_its_themes(world, client_for, themes):
    case = household_of_two(world)
    form = {"goal_reached": "yes", "tone": Tone.MIXED, "needs": "Meer tijd per gezin.", "share_consent": "on"}
    response = client_for(world.alice).post(reverse("cases:close", args=[case.pk]), form)
    assert response.status_code == 400
    assert 'id="id_reflection_themes_error"' in response.content.decode()


def test_closing_without_consent_goes_back_to_the_case(world, client_for, themes):
    case = household_of_two(world)
    form = {"goal_reached": "yes", "tone": Tone.POSITIVE, "needs": "Meer tijd per gezin."}
    response = client_for(world.alice).post(reverse("cases:close", args=[case.pk]), form)
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.reflection.needs == "Meer tijd per gezin." and not case.voices.exists()


def test_the_shared_reflection_becomes_voices_with_its_themes(world, client_for, themes):
    case = household_of_two(world)
    form = {
        "goal_reached": "yes",
        "tone": Tone.CRITICAL,
        "needs": "Meer tijd per gezin.",
        "dilemmas": "Redden we te snel?",
        "share_consent": "on",
        "reflection_themes": [str(themes[1].pk), str(themes[2].pk)],
    }
    response = client_for(world.alice).post(reverse("cases:close", args=[case.pk]), form)
    assert response["Location"] == reverse("cases:voices", args=[case.pk])
    kinds = {v.kind: set(v.themes.all()) for v in case.voices.all()}
    assert kinds == {Voice.Kind.NEED: {themes[1], themes[2]}, Voice.Kind.DILEMMA: {themes[1], themes[2]}}


# --- the check ----------------------------------------------------------------------------------------------


def review(client, voice, text):
    return client.post(
        reverse("cases:review_voice", args=[voice.pk]), {f"voice-{voice.pk}-shared_text": text}
    )


def test_the_unchanged_suggestion_is_shared_as_it_is(world, client_for, closed_with_quote):
    case, voice = closed_with_quote
    response = review(client_for(world.alice), voice, voice.shared_text)
    assert response["Location"] == reverse("cases:voices", args=[case.pk])
    shared = Voice.objects.shared().get()
    assert shared.pk == voice.pk and shared.shared_text == voice.shared_text


def test_a_correction_with_a_household_name_is_refused_at_the_field(world, client_for, closed_with_quote):
    case, voice = closed_with_quote
    response = review(client_for(world.alice), voice, "Mevrouw Verhoeven is eindelijk geholpen.")
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_voice-{voice.pk}-shared_text_error"' in body and "Verhoeven" in body
    fresh = Voice.objects.get(pk=voice.pk)
    assert (fresh.state, fresh.shared_text, fresh.draft_text) == (Voice.State.REVIEW, voice.shared_text, "")


def test_a_correction_without_names_passes_the_anonymiser_again_and_is_shared(
    world, client_for, closed_with_quote
):
    case, voice = closed_with_quote
    text = "Zij en haar zoon zijn eindelijk geholpen; de CAK-schuld is van tafel."
    review(client_for(world.alice), voice, text)
    fresh = Voice.objects.get(pk=voice.pk)
    assert fresh.state == Voice.State.SHARED and fresh.draft_text == ""
    assert fresh.shared_text == text  # nothing left for the anonymiser to take out


@pytest.mark.parametrize("text", ["", "x" * 20_001])
def test_an_empty_or_overlong_check_is_refused_in_dutch(world, client_for, themes, text):
    case = household_of_two(world)
    voice = review_voice_of(world, case, themes)
    response = review(client_for(world.alice), voice, text)
    assert response.status_code == 400
    assert f'id="id_voice-{voice.pk}-shared_text_error"' in response.content.decode()
    assert Voice.objects.get(pk=voice.pk).state == Voice.State.REVIEW


def review_voice_of(world, case, themes, **kwargs) -> Voice:
    """A voice in REVIEW without the anonymiser's run (the check's bad input never reaches it)."""
    defaults = {
        "municipality": case.municipality,
        "team": case.team,
        "case": case,
        "group": "client",
        "respondent": f"household:{case.household_id}",
        "text": QUOTE,
        "shared_text": "Mevrouw [PERSOON-1] is geholpen.",
        "tone": Tone.CRITICAL,
        "said_on": datetime.date.today(),
        "consent": True,
        "state": Voice.State.REVIEW,
        "recorded_by": world.alice,
    }
    voice = Voice.objects.create(**{**defaults, **kwargs})
    voice.themes.set(themes[:1])
    return voice


# --- withdrawal ---------------------------------------------------------------------------------------------


def test_withdrawal_takes_the_quote_out_of_the_shared_voices(world, client_for, closed_with_quote):
    case, voice = closed_with_quote
    c = client_for(world.alice)
    review(c, voice, voice.shared_text)
    assert Voice.objects.shared().filter(pk=voice.pk).exists()
    response = c.post(reverse("cases:withdraw_voice", args=[voice.pk]))
    assert response["Location"] == reverse("cases:voices", args=[case.pk])
    fresh = Voice.objects.get(pk=voice.pk)
    assert not Voice.objects.shared().filter(pk=voice.pk).exists()
    assert fresh.shared_text == "" and fresh.withdrawn_by == world.alice
    assert Feedback.objects.get(case=case).quote_consent is False
    body = c.get(reverse("cases:voices", args=[case.pk])).content.decode()
    assert "Toestemming ingetrokken op" in body and "Controleren en delen" not in body


def test_withdrawal_is_a_post(world, client_for, themes):
    voice = review_voice_of(world, household_of_two(world), themes)
    assert client_for(world.alice).get(reverse("cases:withdraw_voice", args=[voice.pk])).status_code == 405


# --- scope --------------------------------------------------------------------------------------------------


def test_worker_of_other_team_gets_404_on_the_voices_page_and_its_posts(world, client_for, themes):
    case = household_of_two(world)
    voice = review_voice_of(world, case, themes)
    bob = client_for(world.bob)
    assert bob.get(reverse("cases:voices", args=[case.pk])).status_code == 404
    assert review(bob, voice, "Iets anders.").status_code == 404
    assert bob.post(reverse("cases:withdraw_voice", args=[voice.pk])).status_code == 404
    assert bob.get(reverse("cases:voice", args=[voice.pk]), headers={"HX-Request": "true"}).status_code == 404
    fresh = Voice.objects.get(pk=voice.pk)
    assert fresh.state == Voice.State.REVIEW and fresh.withdrawn_at is None


def test_team_lead_of_the_team_checks_its_voices(world, client_for, themes):
    case = household_of_two(world)
    voice = review_voice_of(world, case, themes)
    dave = client_for(world.dave)
    assert dave.get(reverse("cases:voices", args=[case.pk])).status_code == 200
    review(dave, voice, voice.shared_text)
    assert Voice.objects.get(pk=voice.pk).state == Voice.State.SHARED


def test_policy_of_the_municipality_gets_404_on_a_team_voice(world, client_for, themes):
    voice = review_voice_of(world, household_of_two(world), themes)
    assert review(client_for(world.erin), voice, voice.shared_text).status_code == 404


def test_a_stray_voice_id_is_404_not_500(world, client_for):
    c = client_for(world.alice)
    assert c.post(reverse("cases:review_voice", args=[999_999]), {}).status_code == 404
    assert c.post(reverse("cases:withdraw_voice", args=[999_999])).status_code == 404


# --- polling ------------------------------------------------------------------------------------------------


def test_a_pending_voice_polls_its_fragment_until_it_is_ready(world, client_for, themes):
    case = household_of_two(world)
    voice = review_voice_of(world, case, themes, state=Voice.State.PENDING, shared_text="")
    c = client_for(world.alice)
    body = c.get(reverse("cases:voices", args=[case.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in body and "Wordt geanonimiseerd" in body
    assert "Pagina vernieuwen" in body  # without JS
    fragment = reverse("cases:voice", args=[voice.pk])
    assert f'hx-get="{fragment}"' in body
    Voice.objects.filter(pk=voice.pk).update(state=Voice.State.REVIEW, shared_text="Zij is geholpen.")
    answer = c.get(fragment, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in answer and "Zij is geholpen." in answer and "<html" not in answer
    # Without htmx the fragment's address leads to the page.
    assert c.get(fragment)["Location"] == reverse("cases:voices", args=[case.pk])


# --- the case page ------------------------------------------------------------------------------------------


def test_the_case_page_counts_the_voices_to_check_in_one_query(world, client_for, themes):
    case = case_in(world, Status.CLOSED, name="Verhoeven")
    c = client_for(world.alice)
    url = reverse("cases:detail", args=[case.pk])
    review_voice_of(world, case, themes)
    with CaptureQueriesContext(connection) as one:
        body = c.get(url).content.decode()
    assert "1 stem om te controleren" in body and reverse("cases:voices", args=[case.pk]) in body
    review_voice_of(world, case, themes)
    review_voice_of(world, case, themes, state=Voice.State.SHARED)
    with CaptureQueriesContext(connection) as three:
        body = c.get(url).content.decode()
    assert "2 stemmen om te controleren" in body
    assert len(three) == len(one)


# --- conversations ------------------------------------------------------------------------------------------


def conversation_form(**extra):
    return {
        "kind": Conversation.Kind.REFLECTION_MEETING,
        "held_on": datetime.date.today().isoformat(),
        "context": "Reflectiebijeenkomst over de eerste honderd casussen.",
        "client": "3",
        "worker": "5",
        **extra,
    }


def test_team_lead_records_a_conversation_of_their_team(world, client_for):
    response = client_for(world.dave).post(
        reverse("cases:conversation_new"), conversation_form(team=str(world.team_a.pk))
    )
    conversation = Conversation.objects.get()
    assert response["Location"] == reverse("cases:conversation", args=[conversation.pk])
    assert (conversation.team, conversation.clients, conversation.workers) == (world.team_a, 3, 5)


def test_policy_records_a_municipal_conversation(world, client_for):
    client_for(world.erin).post(reverse("cases:conversation_new"), conversation_form(team=""))
    conversation = Conversation.objects.get()
    assert conversation.team is None and conversation.municipality == world.eindhoven


def test_a_team_lead_cannot_record_without_a_team(world, client_for):
    response = client_for(world.dave).post(reverse("cases:conversation_new"), conversation_form(team=""))
    assert response.status_code == 400 and not Conversation.objects.exists()


def test_a_conversation_with_no_participants_is_refused_naming_the_field(world, client_for):
    form = conversation_form(team="", client="0", worker="")
    response = client_for(world.erin).post(reverse("cases:conversation_new"), form)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_client_error"' in body and "Deelnemers: cliënten" in body
    assert not Conversation.objects.exists()


def test_workers_may_not_record_conversations(world, client_for):
    assert client_for(world.alice).get(reverse("cases:conversations")).status_code == 403
    assert client_for(world.alice).get(reverse("cases:conversation_new")).status_code == 403


@pytest.fixture
def municipal(world):
    return services.record_conversation(
        by=world.erin,
        kind=Conversation.Kind.EVALUATION,
        held_on=datetime.date.today(),
        context="Evaluatie met de projectgroep.",
        participants={"policy": 4, "partner": 2},
    )


def voice_form(themes, **extra):
    return {
        "group": "partner",
        "participant": "1",
        "role": "consulent bij het CAK",
        "kind": "quote",
        "text": "We zien de stapeling pas als het te laat is.",
        "tone": Tone.CRITICAL,
        "themes": [str(themes[0].pk)],
        "consent": "on",
        **extra,
    }


def test_policy_of_another_municipality_gets_404_on_a_conversation(world, client_for, municipal):
    from conftest import make_user
    from maatwerk.accounts.models import Role

    olga = make_user("olga", Role.POLICY, municipality=world.utrecht)
    c = client_for(olga)
    assert c.get(reverse("cases:conversation", args=[municipal.pk])).status_code == 404
    assert c.post(reverse("cases:conversation", args=[municipal.pk]), {}).status_code == 404
    assert municipal.pk not in [
        row.pk for row in c.get(reverse("cases:conversations")).context["conversations"]
    ]
    assert c.get(reverse("cases:conversations"), {"page": "x"}).status_code == 400


def test_team_lead_gets_404_on_a_municipal_conversation(world, client_for, municipal):
    assert client_for(world.dave).get(reverse("cases:conversation", args=[municipal.pk])).status_code == 404


def test_the_list_shows_the_conversations_one_may_record_in(world, client_for, municipal):
    body = client_for(world.erin).get(reverse("cases:conversations")).content.decode()
    assert reverse("cases:conversation", args=[municipal.pk]) in body and "Gesprek vastleggen" in body


def test_a_participant_number_above_the_count_is_refused(world, client_for, municipal, themes):
    response = client_for(world.erin).post(
        reverse("cases:conversation", args=[municipal.pk]), voice_form(themes, participant="3")
    )
    assert response.status_code == 400
    assert 'id="id_participant_error"' in response.content.decode()
    assert not Voice.objects.exists()


@pytest.mark.parametrize("role", ["consulent, bel 06-12345678", "mevrouw Jansen van het CAK"])
def test_a_role_with_personal_data_is_refused(world, client_for, municipal, themes, role):
    response = client_for(world.erin).post(
        reverse("cases:conversation", args=[municipal.pk]), voice_form(themes, role=role)
    )
    assert response.status_code == 400
    assert 'id="id_role_error"' in response.content.decode()
    assert not Voice.objects.exists()


def test_a_quote_without_consent_is_refused(world, client_for, municipal, themes):
    form = voice_form(themes)
    del form["consent"]
    response = client_for(world.erin).post(reverse("cases:conversation", args=[municipal.pk]), form)
    assert response.status_code == 400 and 'id="id_consent_error"' in response.content.decode()


def test_a_quote_from_a_conversation_is_checked_on_its_page(world, client_for, municipal, themes):
    c = client_for(world.erin)
    response = c.post(reverse("cases:conversation", args=[municipal.pk]), voice_form(themes))
    assert response["Location"] == reverse("cases:conversation", args=[municipal.pk])
    voice = Voice.objects.get()
    assert voice.state == Voice.State.REVIEW and voice.respondent == f"conversation:{municipal.pk}:partner:1"
    body = c.get(reverse("cases:conversation", args=[municipal.pk])).content.decode()
    assert "Controleren en delen" in body and "consulent bij het CAK" in body
    assert review(c, voice, "Gewoon iets heel anders, zonder namen.")["Location"] == reverse(
        "cases:conversation", args=[municipal.pk]
    )
    assert Voice.objects.shared().filter(pk=voice.pk).exists()
    c.post(reverse("cases:withdraw_voice", args=[voice.pk]))
    assert not Voice.objects.shared().exists()


# --- the forms and their bad input --------------------------------------------------------------------------


def test_the_closing_form_asks_for_themes_needs_and_the_workers_consent(world, client_for, themes):
    case = household_of_two(world)
    body = client_for(world.alice).get(reverse("cases:close", args=[case.pk])).content.decode()
    assert "Wat heb je nodig?" in body and "Mijn reflectie delen zonder mijn naam" in body
    # Checkbox groups are fieldsets named by their legend.
    assert (
        '<legend class="utrecht-form-fieldset__legend utrecht-form-label">Thema&#x27;s van het citaat' in body
    )
    assert "Thema&#x27;s van je reflectie" in body and themes[0].name in body
    assert "alleen geanonimiseerd buiten het team" in body


@pytest.mark.parametrize("value", ["999999", "abc", "-1"])
def test_a_stray_theme_on_the_closing_form_is_refused_in_dutch(world, client_for, themes, value):
    case = household_of_two(world)
    response = client_for(world.alice).post(
        reverse("cases:close", args=[case.pk]), close_form(themes, quote_themes=[value])
    )
    assert response.status_code == 400
    assert "Thema&#x27;s van het citaat: Selecteer een geldige keuze" in response.content.decode()
    assert not case.voices.exists()


def test_a_consented_quote_without_tone_is_refused_at_the_tone(world, client_for, themes):
    case = household_of_two(world)
    response = client_for(world.alice).post(
        reverse("cases:close", args=[case.pk]), close_form(themes, quote_tone="")
    )
    assert response.status_code == 400 and 'id="id_quote_tone_error"' in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("held_on", "2999-01-01"),
        ("held_on", "gisteren"),
        ("client", "veel"),
        ("client", "501"),
        ("context", ""),
    ],
)
def test_bad_conversation_input_is_refused_at_the_field(world, client_for, field, value):
    response = client_for(world.erin).post(
        reverse("cases:conversation_new"), conversation_form(**{field: value})
    )
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Conversation.objects.exists()


def test_a_stray_team_is_refused(world, client_for):
    form = conversation_form(team=str(world.team_b.pk))
    response = client_for(world.dave).post(reverse("cases:conversation_new"), form)
    assert response.status_code == 400 and 'id="id_team_error"' in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value"), [("text", ""), ("text", "x" * 20_001), ("group", "burgemeester")]
)
def test_bad_quote_input_is_refused_at_the_field(world, client_for, municipal, themes, field, value):
    response = client_for(world.erin).post(
        reverse("cases:conversation", args=[municipal.pk]), voice_form(themes, **{field: value})
    )
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Voice.objects.exists()


def test_checking_a_withdrawn_voice_says_so(world, client_for, themes):
    voice = review_voice_of(world, household_of_two(world), themes)
    c = client_for(world.alice)
    c.post(reverse("cases:withdraw_voice", args=[voice.pk]))
    response = review(c, voice, voice.shared_text)
    assert response.status_code == 400
    assert "De toestemming voor deze stem is ingetrokken." in response.content.decode()
    assert not Voice.objects.shared().exists()


def test_an_empty_post_of_the_conversation_form_names_the_fields(world, client_for):
    response = client_for(world.erin).post(reverse("cases:conversation_new"), {})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_kind_error"' in body and 'id="id_held_on_error"' in body
