from ninja import Router, Schema

from . import tenancy
from .audit import log_access
from .models import AccessLog

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    role: str
    role_label: str
    municipality_id: int | None
    municipality: str | None
    team_id: int | None
    team: str | None


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    roles: list[str]
    memberships: list[MembershipOut]


class TeamOut(Schema):
    id: int
    name: str
    municipality_id: int
    municipality: str


@router.get("/me", response=MeOut, summary="The logged-in user, their memberships and roles")
def me(request):
    user = request.user
    ms = tenancy.memberships(user)
    return {
        "id": user.pk,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "roles": sorted(tenancy.roles(user)),
        "memberships": [
            {
                "role": m.role,
                "role_label": str(m.get_role_display()),
                "municipality_id": m.municipality_id,
                "municipality": m.municipality.name if m.municipality else None,
                "team_id": m.team_id,
                "team": m.team.name if m.team else None,
            }
            for m in ms
        ],
    }


@router.get("/teams", response=list[TeamOut], summary="Teams visible to you")
def list_teams(request):
    return [
        {
            "id": t.pk,
            "name": t.name,
            "municipality_id": t.municipality_id,
            "municipality": t.municipality.name,
        }
        for t in tenancy.visible_teams(request.user)
    ]


@router.get("/teams/{team_id}", response=TeamOut, summary="One team (404 outside your teams)")
def get_team(request, team_id: int):
    team = tenancy.get_for_user_or_404(tenancy.visible_teams(request.user), request.user, pk=team_id)
    log_access(request.user, team, action=AccessLog.Action.READ, purpose="api team", request=request)
    return {
        "id": team.pk,
        "name": team.name,
        "municipality_id": team.municipality_id,
        "municipality": team.municipality.name,
    }
