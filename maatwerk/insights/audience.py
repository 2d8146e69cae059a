"""Who looks at a dashboard, and what that allows: the one place the dashboards, their CSV files and the
API ask.

Three levels, one per role: the team lead sees the teams they lead (every figure, per worker too), policy
the municipalities they work for, the national programme every municipality. For policy and programme the
figures are protected (`protected`): small cells hidden, counts rounded (`insights.disclosure`), and never a
figure per worker (workers should feel informed, not watched)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Role

TEAM, MUNICIPALITY, NATION = "team", "municipality", "nation"
LEVELS = {TEAM: _("team"), MUNICIPALITY: _("municipality"), NATION: _("nation")}
ROLE_LEVEL = {Role.TEAM_LEAD: TEAM, Role.POLICY: MUNICIPALITY, Role.PROGRAMME: NATION}


@dataclass(frozen=True)
class Audience:
    level: str
    # None: no restriction at this level (the programme sees every municipality).
    municipality_ids: frozenset[int] | None
    team_ids: frozenset[int] | None
    protected: bool
    sees_workers: bool

    @property
    def label(self):
        return LEVELS[self.level]


def levels(user) -> list[str]:
    """The dashboard levels the user may open, narrowest first."""
    held = {ROLE_LEVEL[role] for role in tenancy.roles(user) if role in ROLE_LEVEL}
    return [level for level in (TEAM, MUNICIPALITY, NATION) if level in held]


def audience(user, level: str | None = None) -> Audience:
    """The user's audience at `level` (default: their narrowest); PermissionDenied without a dashboard role
    or for a level they do not hold."""
    allowed = levels(user)
    if not allowed:
        raise PermissionDenied(_("The dashboards are for team leads, policy and the national programme."))
    level = level or allowed[0]
    if level not in allowed:
        raise PermissionDenied(_("You cannot open the dashboard at this level."))
    if level == TEAM:
        teams = frozenset(tenancy.team_ids(user, {Role.TEAM_LEAD}))
        return Audience(TEAM, None, teams, protected=False, sees_workers=True)
    if level == MUNICIPALITY:
        municipalities = frozenset(tenancy.municipality_ids(user, {Role.POLICY}))
        return Audience(MUNICIPALITY, municipalities, None, protected=True, sees_workers=False)
    return Audience(NATION, None, None, protected=True, sees_workers=False)
