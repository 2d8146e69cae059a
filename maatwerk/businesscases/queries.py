"""Scoped querysets for business cases, shared by views, API and services. Another team's rows never show."""

from django.db.models import QuerySet

from maatwerk.accounts import tenancy
from maatwerk.cases.models import Case
from maatwerk.cases.queries import visible_cases

from .models import BusinessCaseVersion, ValueTriangle


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
