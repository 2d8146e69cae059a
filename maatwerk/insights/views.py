"""Start pages: the team's page with its members and case figures (the team dashboard of issue #12 grows
here). Above the domain apps, so it may read cases, budgets and barriers; `accounts` imports none of them."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Membership
from maatwerk.accounts.tenancy import visible_teams
from maatwerk.cases.queries import team_summary


@login_required
def home(request):
    teams = list(visible_teams(request.user).filter(pk__in=tenancy.team_ids(request.user)))
    if len(teams) == 1:
        return redirect("team", pk=teams[0].pk)
    return render(
        request,
        "insights/home.html",
        {"title": _("Start"), "teams": visible_teams(request.user), "roles": tenancy.roles(request.user)},
    )


@login_required
def team_detail(request, pk: int):
    team = tenancy.get_for_user_or_404(visible_teams(request.user), request.user, pk=pk)
    members = (
        Membership.objects.filter(team=team)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )
    log_access(request.user, team, action=AccessLog.Action.READ, purpose="team start page", request=request)
    context = {
        "title": team.name,
        "team": team,
        "members": members,
        "role_counts": members.values("role").annotate(n=Count("id")).order_by("role"),
    }
    if team.pk in tenancy.team_ids(request.user):
        context["case_summary"] = team_summary(team.pk)
    return render(request, "insights/team.html", context)
