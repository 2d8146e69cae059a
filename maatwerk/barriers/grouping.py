"""Structural signal (pure, no Django): which barriers are the same rule, across teams and municipalities.

Two barriers are suggested as one structural signal when they have the same type, the same agencies and
the same legal provision after normalising how people write it ("Art. 4:90 AWB" = "artikel 4:90 Awb").
Suggestions are only that: a person merges them by hand (`services.merge_into_group`).
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

_ARTICLE = re.compile(r"\b(artikel|artikelen|art)\b\.?", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def provision_key(provision: str) -> str:
    """A comparable form of a legal provision: lower case, 'artikel'/'art.' as 'art', single spaces."""
    text = _ARTICLE.sub("art ", (provision or "").strip().lower())
    text = text.replace(",", " ").replace(";", " ")
    text = re.sub(r"(?<=\w)\.(?=\s|$)", "", text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class SignalRow:
    id: int
    type: str
    agencies: int
    provision_key: str
    municipality_id: int
    team_id: int | None
    group_id: int | None


def suggest_groups(rows: Iterable[SignalRow]) -> list[list[int]]:
    """Clusters of barrier ids worth merging: same key, from more than one team or municipality, and not
    already all in one group. A barrier without a provision is never suggested (too little to match on)."""
    clusters: dict[tuple, list[SignalRow]] = defaultdict(list)
    for row in rows:
        if row.provision_key:
            clusters[(row.type, row.agencies, row.provision_key)].append(row)
    out = []
    for members in clusters.values():
        places = {(r.municipality_id, r.team_id) for r in members}
        groups = {r.group_id for r in members}
        if len(members) > 1 and len(places) > 1 and (len(groups) > 1 or None in groups):
            out.append(sorted(r.id for r in members))
    return sorted(out)
