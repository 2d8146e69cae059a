"""The hub registry itself: kinds have one provider, events merge newest first, and the limit holds."""

import datetime

import pytest
from django.utils import timezone

from maatwerk.cases import hub


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the apps' own registrations are put back afterwards)."""
    monkeypatch.setattr(hub, "_panels", [])
    monkeypatch.setattr(hub, "_timelines", [])
    monkeypatch.setattr(hub, "_kinds", {})
    return hub


def events(kind, days, asked):
    def provider(case, user, *, kinds, limit):
        asked.append((kind, limit))
        now = timezone.now()
        return [
            hub.Event(when=now - datetime.timedelta(days=d), kind=kind, title=f"{kind} {d}") for d in days
        ][:limit]

    return provider


def test_a_kind_has_one_provider(registry):
    registry.register_timeline(events("note", [], []), kinds={"note": "notes"})
    with pytest.raises(ValueError, match="note"):
        registry.register_timeline(events("note", [], []), kinds={"note": "notes"})


def test_registering_the_same_provider_twice_is_harmless(registry):
    provider = events("note", [1], [])
    registry.register_timeline(provider, kinds={"note": "notes"})
    registry.register_timeline(provider, kinds={"note": "notes"})
    registry.register_panel(print)
    registry.register_panel(print)
    assert len(registry._timelines) == 1 and len(registry._panels) == 1


def test_events_merge_newest_first_and_stop_at_the_limit(registry):
    asked = []
    registry.register_timeline(events("note", [1, 3, 5], asked), kinds={"note": "notes"})
    registry.register_timeline(events("spend", [2, 4], asked), kinds={"spend": "spends"})
    shown, more = registry.timeline(None, None, limit=3)
    assert [e.title for e in shown] == ["note 1", "spend 2", "note 3"] and more
    assert asked == [("note", 4), ("spend", 4)]  # one more than the limit, to know whether there is more


def test_only_the_providers_of_the_kinds_asked_are_called(registry):
    asked = []
    registry.register_timeline(events("note", [1], asked), kinds={"note": "notes"})
    registry.register_timeline(events("spend", [2], asked), kinds={"spend": "spends"})
    shown, more = registry.timeline(None, None, kinds=["spend"], limit=10)
    assert [e.kind for e in shown] == ["spend"] and not more
    assert [kind for kind, _limit in asked] == ["spend"]


def test_the_kinds_are_choices_for_parse_choice(registry):
    from maatwerk.validation import parse_choice

    registry.register_timeline(events("note", [], []), kinds={"note": "notes"})
    errors: dict = {}
    assert parse_choice("note", registry.timeline_kinds(), "kind", errors) == "note"
    parse_choice("nope", registry.timeline_kinds(), "kind", errors)
    assert "kind" in errors
