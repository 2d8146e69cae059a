"""Personal data in the barrier register: refused when typed, masked when stored text leaves its team.

Barrier texts reach policy and the national programme, so a BSN, an address, a phone number or a name in
them is a leak. Both sides use the light check of `maatwerk.lib.anonymize` (`find_personal_data`): its
pattern passes (BSNs also spaced or dotted, IBANs, postcode or street with house number, phone numbers,
e-mail addresses, dates of birth, licence plates, long reference numbers), names after a title or a word
for a relative ("mevrouw Jansen", "zoon Senait"), and the names we know to look for:

- the persons and household names of the cases linked to the barrier(s), and
- the household names of the team(s) involved (the acting user's and the barrier's), found by looking
  up the text's capitalised word runs in the (team, search_key) index, so no team's names are loaded.

Why not deduce, which `anonymize()` uses for research exports: it takes ~1.1 GB and ~2 s to load per
process, too much for every web worker, and it is needed mostly for names it knows from its lists. The
price: a name without a title, not of a linked household and not of the team's households, passes. The
added latency is measured in bench/bench_barrier_check.py (see bench/README.md).

Who sees stored text unmasked: the owning team (for a barrier registered at municipal level, the
municipality's workers without a team, i.e. the legality checkers) and the barrier's owner. Everybody
else (other teams, policy, the programme, e-mail to policy) gets each finding replaced by MASK.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from maatwerk.accounts import tenancy
from maatwerk.cases.models import Case, Household
from maatwerk.lib.anonymize.check import find_personal_data, mask_personal_data, name_candidates
from maatwerk.validation import check_personal_data

from .models import Barrier, Escalation
from .queries import REGISTERING_ROLES

MASK = "[verwijderd]"
# The stored texts of a barrier and of its escalations that are shown outside the team.
BARRIER_TEXTS = ("title", "description", "risk", "solution_asked", "legal_provision", "other_agency")
CLOSED_TEXTS = ("close_reason",)
ESCALATION_TEXTS = ("to", "question", "reason", "answer")

_LOOKUP_CHUNK = 500  # parameters per household-name query (SQLite's limit is far above)


# --- which names to look for ----------------------------------------------------------------------------


def _case_names(case_ids) -> set[str]:
    """`case_ids`: ids, or a query of them (then no query of its own)."""
    if isinstance(case_ids, set | list | tuple) and not case_ids:
        return set()
    # One query: each household's name with its persons' first and last names (None without persons).
    rows = Household.objects.filter(cases__in=case_ids).values_list(
        "name", "persons__first_name", "persons__last_name"
    )
    return {name for row in rows for name in row if name}


def _team_household_names(team_ids: set[int], texts: Iterable[str]) -> set[str]:
    candidates = sorted(set().union(*(name_candidates(t) for t in texts if t)))
    found: set[str] = set()
    if not team_ids or not candidates:
        return found
    for i in range(0, len(candidates), _LOOKUP_CHUNK):
        found.update(
            Household.objects.filter(
                team_id__in=team_ids, search_key__in=candidates[i : i + _LOOKUP_CHUNK]
            ).values_list("name", flat=True)
        )
    return found


def known_names(*, case_ids, team_ids: Iterable[int | None], texts: Iterable[str]) -> set[str]:
    """The names to look for in `texts`: of the linked cases' households and persons, and those household
    names of `team_ids` that occur in the texts."""
    texts = list(texts)
    teams = {t for t in team_ids if t}
    return _case_names(case_ids) | _team_household_names(teams, texts)


# --- at entry -------------------------------------------------------------------------------------------


def label(field: str) -> str:
    """The field's name as the form shows it ("Beschrijving"): the model's verbose name."""
    for model in (Barrier, Escalation):
        try:
            return capfirst(
                model._meta.get_field("close_reason" if field == "reason" else field).verbose_name
            )
        except FieldDoesNotExist:
            continue
    return field


def check_texts(
    texts: Mapping[str, str], *, cases: Iterable[Case], team_ids: Iterable[int | None], errors: dict
) -> None:
    """Add a Dutch error per field of `texts` that holds personal data (fields already in `errors` are
    skipped: one message per field)."""
    todo = {field: text for field, text in texts.items() if text and field not in errors}
    if not todo:
        return
    names = known_names(case_ids=[c.pk for c in cases], team_ids=team_ids, texts=todo.values())
    advice = _("Remove personal data; describe the rule, not the household.")
    for field, text in todo.items():
        # "Beschrijving: bevat een BSN ('123 456 782'). Haal persoonsgegevens weg; beschrijf de regel, ..."
        check_personal_data(text, field, label(field), errors, advice, names)


# --- on display -----------------------------------------------------------------------------------------


def owns(viewer, barrier: Barrier) -> bool:
    """Whether `viewer` sees the barrier's texts as they were typed: the owning team and the owner."""
    if viewer is None:
        return False
    if barrier.owner_id == viewer.pk:
        return True
    if barrier.team_id:
        return barrier.team_id in tenancy.team_ids(viewer)
    return any(
        m.role in REGISTERING_ROLES and not m.team_id and m.municipality_id == barrier.municipality_id
        for m in tenancy.memberships(viewer)
    )


# What each page shows; the default is every stored text.
ALL_TEXTS = (*BARRIER_TEXTS, *CLOSED_TEXTS)
LIST_TEXTS = ("title",)
NATIONAL_TEXTS = ("title", "legal_provision", "other_agency")


def screen(
    viewer,
    barriers: Iterable[Barrier],
    escalations: Iterable[Escalation] = (),
    *,
    fields: Iterable[str] = ALL_TEXTS,
) -> None:
    """Mask, on these instances (for display; never save them), the personal data in the stored texts
    `fields` of the barriers (and their groups' titles) and in the escalations, where `viewer` may not see
    them unmasked. Sets `withheld` on each barrier to the names of the fields that were masked. `viewer`
    None is nobody's team (e-mail to policy). Two queries for the whole page, whatever its length."""
    escalations = list(escalations)
    # An escalation's barrier may be another instance of a barrier in the list: screen both.
    instances = list({id(b): b for b in [*barriers, *(e.barrier for e in escalations)]}.values())
    for b in instances:
        b.withheld = []
    outside = [b for b in instances if not owns(viewer, b)]
    if not outside:
        return
    outside_ids = {b.pk for b in outside}
    items: list[tuple[object, str, Barrier]] = []
    for b in outside:
        items += [(b, f, b) for f in fields]
        if b.group_id and "title" in fields:
            items.append((b.group, "title", b))
    items += [(e, f, e.barrier) for e in escalations if e.barrier_id in outside_ids for f in ESCALATION_TEXTS]
    texts = [getattr(obj, f) for obj, f, _ in items]
    names = known_names(
        case_ids=Case.objects.filter(barrier_links__barrier__in=outside_ids).values("pk"),
        team_ids={b.team_id for b in outside},
        texts=texts,
    )
    found: dict[str, list] = {}  # the same text (a provision, an agency) is checked once
    for (obj, field, barrier), text in zip(items, texts, strict=True):
        if text and text not in found:
            found[text] = find_personal_data(text, names)
        findings = found.get(text) if text else None
        if findings:
            setattr(obj, field, mask_personal_data(text, findings, MASK))
            if isinstance(obj, Escalation):
                label = f"escalation_{field}"
            else:
                label = field if obj is barrier else "group_title"
            if label not in barrier.withheld:
                barrier.withheld.append(label)
