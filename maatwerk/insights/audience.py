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
# The stories are also for researchers (DESIGN: "the story corpus"), at the level of their municipalities.
STORY_ROLE_LEVEL = {**ROLE_LEVEL, Role.RESEARCHER: MUNICIPALITY}


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


def levels(user, *, stories: bool = False) -> list[str]:
    """The dashboard (or with `stories`, the stories) levels the user may open, narrowest first."""
    role_level = STORY_ROLE_LEVEL if stories else ROLE_LEVEL
    held = {role_level[role] for role in tenancy.roles(user) if role in role_level}
    return [level for level in (TEAM, MUNICIPALITY, NATION) if level in held]


def audience(user, level: str | None = None, *, stories: bool = False) -> Audience:
    """The user's audience at `level` (default: their narrowest); PermissionDenied without a dashboard role
    or for a level they do not hold. With `stories`: the audience of the stories pages (researchers too)."""
    allowed = levels(user, stories=stories)
    if not allowed:
        if stories:
            raise PermissionDenied(
                _("The stories are for team leads, policy, the national programme and researchers.")
            )
        raise PermissionDenied(_("The dashboards are for team leads, policy and the national programme."))
    level = level or allowed[0]
    if level not in allowed:
        raise PermissionDenied(_("You cannot open the dashboard at this level."))
    if level == TEAM:
        teams = frozenset(tenancy.team_ids(user, {Role.TEAM_LEAD}))
        return Audience(TEAM, None, teams, protected=False, sees_workers=True)
    if level == MUNICIPALITY:
        roles = {Role.POLICY, Role.RESEARCHER} if stories else {Role.POLICY}
        municipalities = frozenset(tenancy.municipality_ids(user, roles))
        return Audience(MUNICIPALITY, municipalities, None, protected=True, sees_workers=False)
    return Audience(NATION, None, None, protected=True, sees_workers=False)
