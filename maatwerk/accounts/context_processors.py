from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import tenancy
from .models import Role

# (url name, label, roles that see it). Items whose URL does not exist (yet) are left out, so an app
# adds its menu item by adding its URL name here.
NAVIGATION = [
    ("home", _("Start"), None),
    ("cases:list", _("Cases"), {Role.WORKER, Role.TEAM_LEAD}),
    ("cases:followups", _("Follow-ups"), {Role.WORKER, Role.TEAM_LEAD}),
    (
        "catalogue:overview",
        _("Cost overview"),
        {Role.WORKER, Role.TEAM_LEAD, Role.LEGAL_CHECKER, Role.POLICY},
    ),
    ("budgets:overview", _("Budget"), {Role.TEAM_LEAD, Role.ADMIN}),
    ("budgets:checks", _("Legality checks"), {Role.LEGAL_CHECKER}),
    # The director of the social domain decides on the amounts above the team leads' mandates.
    ("budgets:approvals", _("To approve"), {Role.POLICY}),
    ("barriers:list", _("Barriers"), {Role.WORKER, Role.TEAM_LEAD, Role.LEGAL_CHECKER, Role.POLICY}),
    ("barriers:national", _("National register"), {Role.PROGRAMME}),
    ("insights:dashboard", _("Dashboard"), {Role.TEAM_LEAD, Role.POLICY, Role.PROGRAMME}),
    ("stories:list", _("Stories"), {Role.TEAM_LEAD, Role.POLICY, Role.PROGRAMME, Role.RESEARCHER}),
    # Researchers ask for exports there; policy officers decide on their municipality's parts.
    ("research:exports", _("Research"), {Role.RESEARCHER, Role.POLICY}),
    ("admin:index", _("Administration"), {Role.ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    user_roles = tenancy.roles(user)
    items = []
    for url_name, label, allowed in NAVIGATION:
        if (
            allowed is not None
            and not (user_roles & allowed)
            and not (url_name == "admin:index" and user.is_superuser)
        ):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"url": url, "label": label, "current": current})
    ms = tenancy.memberships(user)
    places = []
    for m in ms:
        label = str(m.team.name if m.team else m.municipality.name if m.municipality else _("National"))
        municipality = m.municipality.name if m.municipality else ""
        entry = {"role": m.get_role_display(), "team": label, "municipality": municipality}
        if entry not in places:
            places.append(entry)
    return {"nav_items": items, "user_places": places}
