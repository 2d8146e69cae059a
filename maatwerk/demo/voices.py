"""Voices in the demo: every respondent group, positive, critical and mixed, de-identified and shared.

Two sources, as in the real application:
- the closings (`demo.cases` calls `client_quote` and `reflection` where it writes the feedback and the
  reflection, and `ClosingVoices` turns those with consent into voices, as `close_case` would): the client's
  quote (group client, respondent "household:<id>") and, for the ~60 % of workers who consent, each
  non-empty part of the reflection (group worker, respondent "user:<author id>");
- conversations (`ensure_conversations`): per team reflection meetings and interviews recorded by the team
  lead, per municipality one or two evaluation meetings recorded by the policy user, with participant counts
  per group (many clients and workers, fewer team leads, policy and partners) and quotes from them, with
  respondent "conversation:<id>:<group>:<n>" and n within the group's count.

The rows are written in bulk, like the rest of the demo, and go straight to SHARED: `shared_text` is the
anonymiser's version with the household's names (what the task worker would suggest and the worker accept
unchanged). Every text and choice comes from random generators seeded from the demo's seed, so the voices
are the same for a seed.
"""

import datetime
import importlib
import random
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps as django_apps
from django.db import transaction
from django.utils import timezone

from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Membership, Municipality, Role, Team
from maatwerk.cases.models import Conversation, RespondentGroup, Theme, Tone, Voice
from maatwerk.cases.services.voices import REFLECTION_KINDS
from maatwerk.lib.anonymize import anonymize

from . import voice_texts as texts

G = RespondentGroup

# The tone of a client's quote by their grade (weights for positive, mixed, critical).
TONE_BY_GRADE = {
    5: (0, 10, 90),
    6: (0, 30, 70),
    7: (20, 55, 25),
    8: (55, 40, 5),
    9: (80, 20, 0),
    10: (90, 10, 0),
}
TONES = (Tone.POSITIVE, Tone.MIXED, Tone.CRITICAL)
# Share of the reflections whose author consents to sharing them.
SHARE_CONSENT = 0.6
# The chance that a part of the reflection is filled in, by the reflection's tone: a positive reflection
# is mostly a learning point, a critical one names doubts, dilemmas and needs.
FILLED = {
    Tone.POSITIVE: {"doubts": 0.3, "dilemmas": 0.35, "learning_points": 0.95, "needs": 0.5},
    Tone.MIXED: {"doubts": 0.8, "dilemmas": 0.75, "learning_points": 0.85, "needs": 0.6},
    Tone.CRITICAL: {"doubts": 0.85, "dilemmas": 0.85, "learning_points": 0.65, "needs": 0.8},
}
POOLS = {
    "doubts": texts.DOUBTS,
    "dilemmas": texts.DILEMMAS,
    "learning_points": texts.LEARNING_POINTS,
    "needs": texts.NEEDS,
}


# --- the household's people --------------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """Who a client's quote can name, and the names the anonymiser must catch (as `household_names`)."""

    first: str
    last: str
    partner: str = ""
    child: str = ""
    names: tuple = ()

    def has(self, placeholder: str) -> bool:
        return bool(getattr(self, placeholder))


def people(name: str, persons: Iterable[dict]) -> People:
    """From the household's name and its persons as `demo.cases` writes them (dicts with first_name,
    last_name, role)."""
    persons = list(persons)
    first = {"applicant": "", "partner": "", "child": ""}
    for person in persons:
        first[person["role"]] = first[person["role"]] or person["first_name"]
    names = {name} | {p["first_name"] for p in persons} | {p["last_name"] for p in persons}
    return People(
        first=first["applicant"],
        last=name,
        partner=first["partner"],
        child=first["child"],
        names=tuple(sorted(n for n in names if n)),
    )


def _placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def client_quote(rng: random.Random, grade: int, who: People) -> tuple[str, str, tuple]:
    """(quote, tone, theme names) of a client with this grade; the quote may name the household's people."""
    tone = rng.choices(TONES, weights=TONE_BY_GRADE[grade])[0]
    usable, weights = [], []
    for quote_tone, themes, text in texts.CLIENT_QUOTES:
        wanted = _placeholders(text)
        if quote_tone == tone and all(who.has(p) for p in wanted):
            usable.append((text, themes))
            # Clients name their own people often enough that the anonymiser has names to catch.
            weights.append(3 if wanted else 1)
    text, themes = rng.choices(usable, weights=weights)[0]
    return (
        text.format(first=who.first, last=who.last, partner=who.partner, child=who.child),
        tone.value,
        themes,
    )


def _pick(rng: random.Random, pool: list, tone: str):
    # Mostly a text of the reflection's own tone; a mixed text fits any reflection, and now and then one of
    # another tone (a positive reflection can hold a doubt).
    weights = [4 if t == tone else 2 if t == Tone.MIXED else 1 for t, *_ in pool]
    return rng.choices(pool, weights=weights)[0]


def reflection(rng: random.Random, tone: str) -> tuple[dict, bool]:
    """The worker's reflection of this tone: {part: (text, theme names)} for doubts, dilemmas, learning
    points and needs ("" and () for a part left empty; never all empty), and whether the worker consents
    to sharing it."""
    parts = {}
    for part, pool in POOLS.items():
        if rng.random() < FILLED[tone][part]:
            _tone, themes, text = _pick(rng, pool, tone)
            parts[part] = (text, themes)
        else:
            parts[part] = ("", ())
    if not any(text for text, _themes in parts.values()):
        _tone, themes, text = _pick(rng, texts.LEARNING_POINTS, tone)
        parts["learning_points"] = (text, themes)
    return parts, rng.random() < SHARE_CONSENT


# --- writing them ----------------------------------------------------------------------------------------


_WORDS = re.compile(r"[^\W\d_]+")


class Anonymiser:
    """`maatwerk.lib.anonymize.anonymize`, once per distinct text and the names that occur in it: the demo
    repeats its texts in many households, and a name that is nowhere in the text cannot change the result
    (the anonymiser only tags the known names where they stand). The model loads at the first call (~2 s)."""

    def __init__(self) -> None:
        self.done: dict = {}

    def __call__(self, text: str, names: Iterable[str] = ()) -> str:
        folded = (text.lower(), text.casefold())
        present = tuple(
            name
            for name in names
            if any(word.lower() in folded[0] or word.casefold() in folded[1] for word in _WORDS.findall(name))
        )
        key = (text, present)
        if key not in self.done:
            self.done[key] = anonymize(text, names=present)
        return self.done[key]


def theme_ids() -> dict[str, int]:
    """The seeded themes the demo's texts use, by name (an active theme of the list stands in for one the
    functional administrator renamed or switched off, so that every voice has a theme). A database without
    any theme (emptied after its migrations ran, as tests that flush do) gets the migration's list again."""
    if not Theme.objects.exists():
        seeded = importlib.import_module("maatwerk.cases.migrations.0005_themes")
        seeded.seed(django_apps, None)
    found = dict(Theme.objects.filter(name__in=texts.THEME_NAMES, active=True).values_list("name", "pk"))
    spare = Theme.objects.filter(active=True).order_by("order", "name").values_list("pk", flat=True).first()
    return {name: found.get(name, spare) for name in texts.THEME_NAMES if found.get(name, spare)}


@dataclass
class _Planned:
    voice: Voice
    themes: tuple
    names: tuple = ()


@dataclass
class ClosingVoices:
    """The voices of the closings of one chunk of demo cases, written at once by `write`."""

    planned: list = field(default_factory=list)

    def quote(self, case, *, by_id: int, who: People, text: str, tone: str, themes: tuple) -> None:
        voice = _closing_voice(case, by_id, G.CLIENT, f"household:{case.household_id}", Voice.Kind.QUOTE)
        voice.text, voice.tone = text, tone
        self.planned.append(_Planned(voice, themes, who.names))

    def reflection(self, case, *, by_id: int, who: People, parts: dict, tone: str) -> None:
        for part, kind in REFLECTION_KINDS.items():
            text, themes = parts[part]
            if text:
                voice = _closing_voice(case, by_id, G.WORKER, f"user:{by_id}", kind)
                voice.text, voice.tone = text, tone
                self.planned.append(_Planned(voice, themes, who.names))

    def write(self, anonymise: Anonymiser, themes: dict[str, int]) -> int:
        return _write(self.planned, anonymise, themes)


def _aware(day: datetime.date, rng: random.Random | None = None) -> datetime.datetime:
    hour, minute = (10, 0) if rng is None else (9 + rng.randrange(8), rng.randrange(60))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _closing_voice(case, by_id: int, group: str, respondent: str, kind: str) -> Voice:
    return Voice(
        municipality_id=case.municipality_id,
        team_id=case.team_id,
        case_id=case.pk,
        group=group,
        respondent=respondent,
        kind=kind,
        said_on=case.closed_on,
        consent=True,
        state=Voice.State.SHARED,
        recorded_by_id=by_id,
        recorded_at=_aware(case.closed_on),
    )


def _write(planned: list[_Planned], anonymise: Anonymiser, themes: dict[str, int]) -> int:
    for plan in planned:
        plan.voice.shared_text = anonymise(plan.voice.text, plan.names)
    Voice.objects.bulk_create([p.voice for p in planned], batch_size=2000)
    Through = Voice.themes.through
    Through.objects.bulk_create(
        [
            Through(voice_id=p.voice.pk, theme_id=theme)
            for p in planned
            for theme in dict.fromkeys(themes[name] for name in p.themes if name in themes)
        ],
        batch_size=5000,
    )
    return len(planned)


# --- conversations ---------------------------------------------------------------------------------------

# Who takes part, per kind of conversation: (low, high) participants of each group.
PARTICIPANTS = {
    Conversation.Kind.REFLECTION_MEETING: {
        G.WORKER: (6, 12),
        G.TEAM_LEAD: (1, 1),
        G.PARTNER: (0, 2),
        G.POLICY: (0, 1),
    },
    Conversation.Kind.INTERVIEW: {G.CLIENT: (4, 9), G.TEAM_LEAD: (1, 1)},
    Conversation.Kind.FOCUS_GROUP: {G.CLIENT: (5, 10), G.WORKER: (1, 2), G.TEAM_LEAD: (0, 1)},
    Conversation.Kind.EVALUATION: {
        G.CLIENT: (2, 4),
        G.WORKER: (4, 8),
        G.TEAM_LEAD: (2, 2),
        G.POLICY: (4, 8),
        G.PARTNER: (3, 6),
    },
}
# How many quotes of each group a conversation of this kind yields (at most as many as took part).
QUOTED = {
    Conversation.Kind.REFLECTION_MEETING: {
        G.WORKER: (2, 3),
        G.TEAM_LEAD: (1, 2),
        G.PARTNER: (1, 1),
        G.POLICY: (1, 1),
    },
    Conversation.Kind.INTERVIEW: {G.CLIENT: (2, 4), G.TEAM_LEAD: (0, 1)},
    Conversation.Kind.FOCUS_GROUP: {G.CLIENT: (2, 3), G.WORKER: (0, 1)},
    Conversation.Kind.EVALUATION: {
        G.CLIENT: (1, 1),
        G.WORKER: (1, 2),
        G.TEAM_LEAD: (1, 2),
        G.POLICY: (2, 4),
        G.PARTNER: (2, 3),
    },
}
# (tone, themes, text, roles[, kind]) per group.
CONVERSATION_QUOTES = {
    G.CLIENT: texts.PANEL_QUOTES,
    G.WORKER: texts.WORKER_QUOTES,
    G.TEAM_LEAD: texts.TEAM_LEAD_QUOTES,
    G.POLICY: texts.POLICY_QUOTES,
    G.PARTNER: texts.PARTNER_QUOTES,
}


def _first_user(memberships, suffix: str = ""):
    rows = list(memberships.select_related("user").order_by("user__username"))
    preferred = [m for m in rows if suffix and m.user.username.endswith(suffix)]
    return (preferred or rows or [None])[0]


def _plan_conversations(rng, municipality, today) -> list[tuple[Conversation, list]]:
    """The conversations of one municipality, each with the groups to quote: [(conversation, [group])]."""
    policy = _first_user(
        Membership.objects.filter(municipality=municipality, role=Role.POLICY, team__isnull=True), ".policy"
    )
    leads = Membership.objects.filter(municipality=municipality, role=Role.TEAM_LEAD)
    municipal_lead = _first_user(leads)
    if policy is None or municipal_lead is None:
        return []  # not the demo organisation
    planned = []

    def add(kind, team, recorded_by):
        held_on = today - datetime.timedelta(days=rng.randint(10, 330))
        counts = {group: rng.randint(*span) for group, span in PARTICIPANTS[kind].items()}
        conversation = Conversation(
            municipality=municipality,
            team=team,
            kind=kind,
            held_on=held_on,
            context=rng.choice(texts.CONTEXTS[kind.value]),
            recorded_by=recorded_by,
            recorded_at=_aware(held_on, rng),
            **{Conversation.GROUP_FIELDS[g]: n for g, n in counts.items()},
        )
        quoted = [
            group
            for group, span in QUOTED[kind].items()
            if counts.get(group)
            for _ in range(min(rng.randint(*span), counts[group]))
        ]
        planned.append((conversation, quoted))

    for team in Team.objects.filter(municipality=municipality).order_by("name"):
        # The team's own lead records its conversations; the demo's second teams have none, so there the
        # municipality's team lead does.
        lead = _first_user(leads.filter(team=team)) or municipal_lead
        add(Conversation.Kind.REFLECTION_MEETING, team, lead.user)
        add(Conversation.Kind.INTERVIEW, team, lead.user)
        extra = rng.choice([Conversation.Kind.REFLECTION_MEETING, Conversation.Kind.FOCUS_GROUP, None])
        if extra:
            add(extra, team, lead.user)
    for _ in range(rng.randint(1, 2)):
        add(Conversation.Kind.EVALUATION, None, policy.user)
    return planned


def _conversation_voice(rng, conversation: Conversation, group: str, used: set) -> _Planned:
    pool = CONVERSATION_QUOTES[group]
    fresh = [entry for entry in pool if entry[2] not in used] or pool
    tone, themes, text, roles, *kind = rng.choice(fresh)
    used.add(text)
    number = rng.randint(1, conversation.participants(group))
    voice = Voice(
        municipality_id=conversation.municipality_id,
        team_id=conversation.team_id,
        conversation_id=conversation.pk,
        group=group,
        role=rng.choice(roles),
        respondent=f"conversation:{conversation.pk}:{group}:{number}",
        kind=kind[0] if kind else Voice.Kind.QUOTE,
        text=text,
        tone=tone,
        said_on=conversation.held_on,
        consent=True,
        state=Voice.State.SHARED,
        recorded_by_id=conversation.recorded_by_id,
        recorded_at=conversation.recorded_at,
    )
    return _Planned(voice, themes)


@transaction.atomic
def ensure_conversations(seed: int = 1, anonymise: Anonymiser | None = None) -> tuple[int, int]:
    """The conversations and their voices of every municipality that has none yet (idempotent). Returns
    (conversations, voices) made."""
    anonymise = anonymise or Anonymiser()
    themes = theme_ids()
    today = timezone.localdate()
    made_conversations, planned = 0, []
    for municipality in Municipality.objects.order_by("code"):
        if Conversation.objects.filter(municipality=municipality).exists():
            continue
        # One generator per municipality: its conversations do not depend on which others exist.
        rng = random.Random(f"demo-conversations-{seed}-{municipality.code}")
        conversations = _plan_conversations(rng, municipality, today)
        Conversation.objects.bulk_create([c for c, _groups in conversations])
        made_conversations += len(conversations)
        for conversation, groups in conversations:
            used: set = set()
            planned.extend(_conversation_voice(rng, conversation, group, used) for group in groups)
    voices = _write(planned, anonymise, themes)
    if made_conversations:
        log_access(
            None,
            action=AccessLog.Action.CREATE,
            purpose=f"synthetic demo data: {made_conversations} conversations, {voices} voices",
            object_type="cases.demo_voices",
            object_id=str(seed),
        )
    return made_conversations, voices
