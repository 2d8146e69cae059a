from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from . import tenancy
from .audit import log_access
from .forms import LoginForm
from .models import AccessLog, Membership, Role, Team


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Log in")}


def visible_teams(user):
    """Teams the user works in, plus the teams of municipalities they oversee as policy or admin."""
    return tenancy.scope(
        Team.objects.select_related("municipality"),
        user,
        team_field="pk",
        municipality_field="municipality",
        municipality_roles={Role.POLICY, Role.ADMIN, Role.LEGAL_CHECKER},
    )


@login_required
def home(request):
    teams = list(visible_teams(request.user).filter(pk__in=tenancy.team_ids(request.user)))
    if len(teams) == 1:
        return redirect("team", pk=teams[0].pk)
    return render(
        request,
        "accounts/home.html",
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
        from maatwerk.cases.queries import team_summary

        context["case_summary"] = team_summary(team.pk)
    return render(request, "accounts/team.html", context)
