"""Template helpers for the case page as the hub, and for pages of other apps that link back to a case."""

from django import template
from django.template.loader import render_to_string

from maatwerk.accounts import tenancy

register = template.Library()


@register.simple_tag(takes_context=True)
def hub_panel(context, panel):
    """Render a `cases.hub.Panel` with its own template and context."""
    return render_to_string(panel.template, panel.context, request=context.get("request"))


@register.filter
def may_open_case(case, user) -> bool:
    """Whether `user` may open the case page (its team's workers and team leads): a legality checker sees
    the spend request but not the case file, so a link to the case would only answer 404."""
    return case is not None and case.team_id in tenancy.team_ids(user)
