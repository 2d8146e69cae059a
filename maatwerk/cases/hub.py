"""The case page as the hub of a household's file: panels and timeline events from other apps.

`cases` is the lowest domain app: businesscases, budgets and barriers import it, never the other way. So
the case page does not ask them for their data; each of them registers its providers here from its
AppConfig.ready() (in a `hub` module of its own), and the case page calls whatever is registered.

A provider takes `(case, user)` and reads only through its own app's scoped queries, logging what it
reads (the case page has already checked that the user may see the case and logged that read).

- A panel provider returns a `Panel` (a template and its context) or None when it has nothing to show.
- A timeline provider takes `kinds` (the kinds asked for) and `limit` as keywords and returns at most
  `limit` of its newest `Event`s of those kinds, so the page stays bounded however long the file is.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100  # lower comes first on the page


@dataclass(frozen=True)
class Event:
    when: datetime.datetime
    kind: str  # a code registered with register_timeline, e.g. "note", "spend"
    title: str
    text: str = ""
    url: str = ""
    actor: str = ""
    all_day: bool = False  # only a date is known (hours, an MDT meeting): show no time


PanelProvider = Callable[..., Panel | None]
TimelineProvider = Callable[..., list[Event]]

_panels: list[PanelProvider] = []
_timelines: list[tuple[TimelineProvider, tuple[str, ...]]] = []
_kinds: dict[str, str] = {}  # code -> label, in the order registered


def register_panel(fn: PanelProvider) -> PanelProvider:
    if fn not in _panels:  # ready() can run twice (tests that reload apps)
        _panels.append(fn)
    return fn


def register_timeline(fn: TimelineProvider, *, kinds: Mapping[str, str]) -> TimelineProvider:
    """Register `fn` as the provider of the event kinds `kinds` ({code: label}); a code has one provider."""
    for code, label in kinds.items():
        owner = next((f for f, codes in _timelines if code in codes), None)
        if owner is not None and owner is not fn:
            raise ValueError(f"timeline kind {code!r} already has a provider")
        _kinds[code] = label
    if not any(f is fn for f, _codes in _timelines):
        _timelines.append((fn, tuple(kinds)))
    return fn


def timeline_kinds() -> type[models.TextChoices]:
    """The registered kinds as choices, for validation.parse_choice and the filter form."""
    return models.TextChoices("TimelineKind", [(code, (code, label)) for code, label in _kinds.items()])


def panels(case, user) -> list[Panel]:
    found = [p for p in (fn(case, user) for fn in _panels) if p is not None]
    return sorted(found, key=lambda p: p.order)


def as_datetime(day: datetime.date) -> datetime.datetime:
    """The start of `day` in local time: where an event known only by its date sorts."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def timeline(case, user, *, kinds=(), limit: int) -> tuple[list[Event], bool]:
    """The newest `limit` events of `kinds` (all kinds when empty), newest first, and whether there are
    more. Each provider is asked for one more than `limit`, so the cost does not grow with the file."""
    wanted = set(kinds) or set(_kinds)
    events: list[Event] = []
    for fn, codes in _timelines:
        asked = wanted.intersection(codes)
        if asked:
            events.extend(fn(case, user, kinds=asked, limit=limit + 1))
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:limit], len(events) > limit
