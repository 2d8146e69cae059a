"""The select control of a story (`insights/stories/_select.html`): the reports the user may add it to, and
the stories page's scope for a new report, read once per request however many cards the page has."""

from django import template

from maatwerk.insights.stories.reports import services

register = template.Library()

SCOPE_KEYS = ("level", "period_from", "period_to", "municipality", "team")


@register.simple_tag(takes_context=True)
def story_select(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    cached = getattr(request, "_story_select", None)
    if cached is None:
        reports = list(services.visible(user)) if user is not None and user.is_authenticated else []
        cached = {"reports": reports}
        if request is not None:
            request._story_select = cached
    data = context.get("select_data")
    if data is not None:  # the control shown again after an error: what was sent
        scope = [(key, data.get(f"new-{key}", "")) for key in SCOPE_KEYS]
    else:
        query = request.GET if request is not None else {}
        scope = [(key, query.get(key, "")) for key in SCOPE_KEYS]
    return {
        "reports": cached["reports"],
        "scope": [(k, v) for k, v in scope if v],
        "title": data.get("new-title", "") if data is not None else "",
    }
