"""Tenancy and permissions in one place.

Every query that touches case data goes through `scope()`; views and the API use `get_for_user_or_404()`.
An object outside the acting user's teams or municipalities is answered with 404, never 403, so that
nobody learns that someone else's household exists.
"""

from collections.abc import Iterable

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Membership, Role, Team

# Which roles see rows at team level and which at municipality level, per kind of data.
CASE_DATA_TEAM_ROLES = frozenset({Role.WORKER, Role.TEAM_LEAD})


def memberships(user) -> list[Membership]:
    """The user's memberships, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_maatwerk_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("team", "municipality"))
        user._maatwerk_memberships = cached
    return cached


def roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def has_role(user, *wanted: str) -> bool:
    return bool(roles(user) & set(wanted))


def team_ids(user, roles_: Iterable[str] = CASE_DATA_TEAM_ROLES) -> set[int]:
    wanted = set(roles_)
    return {m.team_id for m in memberships(user) if m.role in wanted and m.team_id}


def municipality_ids(user, roles_: Iterable[str]) -> set[int]:
    wanted = set(roles_)
    return {m.municipality_id for m in memberships(user) if m.role in wanted and m.municipality_id}


def scope(
    queryset: QuerySet,
    user,
    *,
    team_field: str | None = "team",
    municipality_field: str | None = "municipality",
    team_roles: Iterable[str] = CASE_DATA_TEAM_ROLES,
    municipality_roles: Iterable[str] = (),
) -> QuerySet:
    """Restrict `queryset` to the rows the user may see.

    A row is visible when its team is one of the user's teams under `team_roles`, or its municipality
    is one of the user's municipalities under `municipality_roles`. With no matching membership the
    result is empty: the default is to see nothing.
    """
    condition = Q(pk__in=[])
    if team_field:
        ids = team_ids(user, team_roles)
        if ids:
            condition |= Q(**{f"{team_field}__in": ids})
    if municipality_field and municipality_roles:
        ids = municipality_ids(user, municipality_roles)
        if ids:
            condition |= Q(**{f"{municipality_field}__in": ids})
    return queryset.filter(condition)


def get_for_user_or_404(queryset: QuerySet, user, /, **lookup) -> Model:
    """Fetch one object from an already scoped queryset, or raise 404 with a Dutch message."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found, or not visible for you.")) from None


def admin_municipality_ids(user) -> set[int]:
    """The municipalities the user administers (role `admin`): the reach of their /beheer/ pages."""
    return municipality_ids(user, {Role.ADMIN})


def visible_teams(user):
    """Teams the user works in, plus the teams of municipalities they oversee as policy, admin or legal
    checker."""
    return scope(
        Team.objects.select_related("municipality"),
        user,
        team_field="pk",
        municipality_field="municipality",
        municipality_roles={Role.POLICY, Role.ADMIN, Role.LEGAL_CHECKER},
    )
