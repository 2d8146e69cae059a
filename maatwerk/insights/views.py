"""Start pages and the learning dashboards. Above the domain apps, so it may read cases, budgets and
barriers; `accounts` imports none of them."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from maatwerk.accounts import tenancy
from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, Membership
from maatwerk.accounts.tenancy import visible_teams
from maatwerk.cases.queries import team_summary

from . import charts, dashboard, freshness, panels, tasks


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


def _log(request, built, what: str) -> None:
    who = built.form.audience
    log_access(
        request.user,
        action=AccessLog.Action.READ,
        purpose=f"dashboard ({who.level}): {what}",
        object_type="insights.dashboard",
        object_id=who.level,
        request=request,
    )


@require_GET
@login_required
def dashboard_page(request):
    built = dashboard.build(request.user, request.GET)
    last = freshness.last_refresh()
    tasks.refresh_if_stale()
    context = {
        "title": _("Dashboard"),
        "form": built.form,
        "audience": built.form.audience,
        "last_refresh": last,
        "query": request.GET.urlencode(),
    }
    if built.context is None:
        return render(request, "insights/dashboard.html", context, status=400)
    _log(request, built, "page")
    context["sections"] = panels.sections(built.context)
    return render(request, "insights/dashboard.html", context)


@require_GET
@login_required
def figure_csv(request, slug: str):
    built = dashboard.build(request.user, request.GET)
    if built.context is None:
        return render(
            request,
            "insights/dashboard.html",
            {"title": _("Dashboard"), "form": built.form, "audience": built.form.audience},
            status=400,
        )
    figure = panels.find(built.context, slug)
    if figure is None:
        raise Http404(_("Not found, or not visible for you."))
    _log(request, built, f"csv {slug}")
    return charts.csv_response(figure, f"{slug}.csv")
