"""The demo's voices: every group in every municipality, every tone, themes, de-identified, consistent with
the closings and conversations they come from, and the same for a seed."""

import random
import re
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from conftest import delete_demo_case_files
from maatwerk.cases.models import (
    Conversation,
    Feedback,
    Household,
    Person,
    Reflection,
    RespondentGroup,
    Theme,
    Tone,
    Voice,
)
from maatwerk.cases.services.voices import REFLECTION_KINDS, household_names
from maatwerk.demo import cases as demo_cases
from maatwerk.demo import voice_texts
from maatwerk.demo import voices as demo_voices
from maatwerk.demo.organisation import MUNICIPALITIES, ensure_organisation
from maatwerk.lib.anonymize import anonymize
from maatwerk.lib.anonymize.check import find_personal_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_organisation()


@pytest.fixture
def demo(organisation):
    # One load per test; each test checks a whole side of the corpus.
    call_command("demo", households=300, seed=4, verbosity=0)


def test_demo_shares_voices_of_every_group_in_every_municipality_in_every_tone(demo):
    voices = Voice.objects.all()
    assert voices.count() == Voice.objects.shared().count() > 300
    assert not voices.exclude(state=Voice.State.SHARED).exists()
    assert not voices.filter(consent=False).exists()
    groups = set(voices.values_list("municipality__name", "group"))
    assert groups == {(name, group) for name, *_ in MUNICIPALITIES for group in RespondentGroup.values}
    tones = set(voices.values_list("group", "tone"))
    assert tones == {(group, tone) for group in RespondentGroup.values for tone in Tone.values}
    for name, *_ in MUNICIPALITIES:
        assert set(voices.filter(municipality__name=name).values_list("tone", flat=True)) == set(Tone.values)
    # Every voice has one or two themes, of the seeded list.
    counts = Counter(Voice.themes.through.objects.values_list("voice_id", flat=True))
    assert set(counts) == set(voices.values_list("pk", flat=True))
    assert set(counts.values()) <= {1, 2}
    used = set(Voice.themes.through.objects.values_list("theme__name", flat=True))
    assert used == set(voice_texts.THEME_NAMES)
    # The dilemmas the practice names are among them.
    texts = " ".join(voices.values_list("text", flat=True))
    assert "wat leren ze er dan van?" in texts
    assert "Ik zie nu wat alles kost en word er moedeloos van." in texts
    assert "beslagvrije voet" in texts and "Maatwerk kost tijd" in texts


def test_demo_closings_make_voices_as_the_real_closing_would(demo):
    reflections = Reflection.objects.select_related("case")
    sharing = reflections.filter(share_consent=True)
    assert 0.45 <= sharing.count() / reflections.count() <= 0.75
    assert 0.3 <= reflections.exclude(needs="").count() / reflections.count() <= 0.85
    closing = Voice.objects.filter(case__isnull=False).select_related("case")
    assert not closing.filter(conversation__isnull=False).exists()
    # The client's quote with consent, and only that, is a client voice of the household, said at closing.
    quotes = Feedback.objects.filter(quote_consent=True).exclude(quote="").select_related("case")
    clients = {v.case_id: v for v in closing.filter(group=RespondentGroup.CLIENT)}
    assert set(clients) == {f.case_id for f in quotes} and len(clients) > 20
    for feedback in quotes:
        voice = clients[feedback.case_id]
        assert (voice.text, voice.tone, voice.kind) == (feedback.quote, feedback.tone, Voice.Kind.QUOTE)
        assert voice.respondent == f"household:{feedback.case.household_id}"
        assert voice.said_on == feedback.case.closed_on and voice.team_id == feedback.case.team_id
    assert set(Feedback.objects.exclude(quote="").values_list("tone", flat=True)) == set(Tone.values)
    # Each non-empty part of a shared reflection is a worker voice of its author; an unshared one is none.
    workers = defaultdict(dict)
    for voice in closing.filter(group=RespondentGroup.WORKER):
        workers[voice.case_id][voice.kind] = voice
    assert set(workers) == {r.case_id for r in sharing}
    for reflection in sharing:
        made = workers[reflection.case_id]
        parts = {kind: getattr(reflection, part) for part, kind in REFLECTION_KINDS.items()}
        assert {kind: v.text for kind, v in made.items()} == {k: text for k, text in parts.items() if text}
        assert {v.respondent for v in made.values()} == {f"user:{reflection.author_id}"}
        assert {v.tone for v in made.values()} == {reflection.tone}
    assert {v.kind for case in workers.values() for v in case.values()} == set(REFLECTION_KINDS.values())


def test_demo_conversations_count_their_participants_and_name_no_one(demo):
    conversations = Conversation.objects.all()
    for name, *_ in MUNICIPALITIES:
        mine = conversations.filter(municipality__name=name)
        assert mine.filter(team__isnull=False).values("team").distinct().count() == 2
        assert 1 <= mine.filter(team__isnull=True, kind=Conversation.Kind.EVALUATION).count() <= 2
        assert {c.recorded_by.username for c in mine.filter(team__isnull=True)} <= {
            f"{slug}.policy" for n, _code, slug, _teams in MUNICIPALITIES if n == name
        }
    # Many clients and workers, fewer team leads, policy and partners.
    totals = {
        group: sum(conversations.values_list(column, flat=True))
        for group, column in Conversation.GROUP_FIELDS.items()
    }
    assert min(totals[RespondentGroup.CLIENT], totals[RespondentGroup.WORKER]) > 2 * max(
        totals[RespondentGroup.TEAM_LEAD], totals[RespondentGroup.POLICY], totals[RespondentGroup.PARTNER]
    )
    voices = Voice.objects.filter(conversation__isnull=False).select_related("conversation")
    assert voices.count() > 200
    for voice in voices:
        conversation = voice.conversation
        prefix, pk, group, number = voice.respondent.split(":")
        assert (prefix, int(pk), group) == ("conversation", conversation.pk, voice.group)
        assert 1 <= int(number) <= conversation.participants(voice.group)
        assert voice.said_on == conversation.held_on and voice.team_id == conversation.team_id
        assert voice.role and not find_personal_data(voice.role, ())
    assert not [c.context for c in conversations if find_personal_data(c.context, ())]
    roles = set(voices.filter(group=RespondentGroup.PARTNER).values_list("role", flat=True))
    assert {"medewerker CJIB", "medewerker SVB", "medewerker CAK", "klantmanager UWV"} <= roles
    assert {"teamleider", "projectleider"} <= set(voices.values_list("role", flat=True))


def test_no_name_of_a_demo_household_is_in_any_shared_text(demo):
    names = defaultdict(set)
    for household_id, name in Household.objects.values_list("pk", "name"):
        names[household_id].add(name)
    for household_id, first, last in Person.objects.values_list("household_id", "first_name", "last_name"):
        names[household_id] |= {first, last}
    every = {name for household in names.values() for name in household}
    named = 0
    for household_id, text, shared in Voice.objects.values_list("case__household_id", "text", "shared_text"):
        # What the task worker would have suggested, with the household's names as the service finds them.
        assert shared == anonymize(text, names=household_names(household_id) if household_id else ())
        own = names.get(household_id, set())
        if own and _mentions(text, own, ignore_case=True):
            named += 1
        assert not _mentions(shared, own, ignore_case=True), shared
        # Nor, written as a name, any other household's.
        assert not _mentions(shared, every, ignore_case=False), shared
    assert named >= 10  # the anonymiser had names to catch
    # The conversations' quotes hold no personal data, and the anonymiser leaves them as they are.
    said = Voice.objects.filter(conversation__isnull=False).values_list("text", "shared_text")
    assert [text for text, shared in said if text != shared] == []


def _mentions(text: str, names, *, ignore_case: bool) -> list[str]:
    flags = re.IGNORECASE if ignore_case else 0
    return [n for n in names if re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", text, flags)]


def _snapshot():
    voices = Voice.objects.order_by("pk").prefetch_related("themes")
    return [
        (
            v.group,
            v.kind,
            v.tone,
            v.role,
            v.text,
            v.shared_text,
            v.said_on,
            sorted(t.name for t in v.themes.all()),
        )
        for v in voices
    ] + list(
        Conversation.objects.order_by("pk").values_list(
            "kind", "held_on", "context", "clients", "workers", "team_leads", "policy", "partners"
        )
    )


def test_demo_voices_are_the_same_for_a_seed_and_differ_for_another(organisation):
    demo_cases.generate(120, seed=7)
    demo_voices.ensure_conversations(seed=7)
    first = _snapshot()
    assert len(first) > 100
    assert demo_voices.ensure_conversations(seed=7) == (0, 0)  # once per municipality
    delete_demo_case_files()
    demo_cases.generate(120, seed=7)
    demo_voices.ensure_conversations(seed=7)
    assert _snapshot() == first
    delete_demo_case_files()
    demo_cases.generate(120, seed=8)
    demo_voices.ensure_conversations(seed=8)
    assert _snapshot() != first


def test_the_demo_seeds_the_themes_again_when_the_table_was_emptied(organisation):
    Theme.objects.all().delete()
    demo_voices.ensure_conversations(seed=2)
    assert set(Theme.objects.values_list("name", flat=True)) == set(voice_texts.THEME_NAMES)
    assert not Voice.objects.filter(themes__isnull=True).exists()


def test_a_client_quote_names_only_people_the_household_has():
    alone = demo_voices.people(
        "Bakker", [{"first_name": "Femke", "last_name": "Bakker", "role": "applicant"}]
    )
    assert alone.names == ("Bakker", "Femke")
    rng = random.Random(3)
    quotes = [demo_voices.client_quote(rng, grade, alone) for grade in range(5, 11) for _ in range(60)]
    assert all("{" not in text and "None" not in text for text, _tone, _themes in quotes)
    assert any("Femke" in text for text, _tone, _themes in quotes)
    assert {tone for _text, tone, _themes in quotes} == set(Tone.values)
    assert all(1 <= len(themes) <= 2 for _text, _tone, themes in quotes)
