"""Scoped querysets for business cases, shared by views, API and services. Another team's rows never show."""

from django.db.models import QuerySet

from maatwerk.accounts import tenancy
from maatwerk.cases.models import Case
from maatwerk.cases.queries import visible_cases

from .models import BusinessCaseVersion, ValueTriangle

# The latest version (highest number) of each business case as a FROM clause, for the hand-written
# aggregate SQL of the dashboards' refresh and of the research export: `b` the business case, `v` its
# latest version (BusinessCase.latest_version is the same rule for one case).
LATEST_VERSION_SOURCES = """businesscases_businesscase b
            JOIN (
                SELECT business_case_id, MAX(number) AS number
                FROM businesscases_businesscaseversion GROUP BY business_case_id
            ) latest ON latest.business_case_id = b.id
            JOIN businesscases_businesscaseversion v
                ON v.business_case_id = latest.business_case_id AND v.number = latest.number"""


def versions_for(user) -> QuerySet:
    return tenancy.scope(
        BusinessCaseVersion.objects.select_related("business_case__case", "created_by", "frozen_by"),
        user,
        team_field="business_case__case__team",
        municipality_field=None,
    )


def triangles_for(user) -> QuerySet:
    return tenancy.scope(
        ValueTriangle.objects.select_related("created_by"),
        user,
        team_field="case__team",
        municipality_field=None,
    )


def get_case_or_404(user, case_id) -> Case:
    return tenancy.get_for_user_or_404(
        visible_cases(user).select_related("household", "team", "municipality"), user, pk=case_id
    )
