"""The login page's buttons for the municipalities that log in through their own identity provider."""

from django import template

from ..models import IdentityProvider
from ..views import start_url

register = template.Library()


@register.inclusion_tag("oidc/login_choices.html")
def oidc_login_choices(next_url=""):
    providers = list(
        IdentityProvider.objects.filter(enabled=True)
        .select_related("municipality")
        .order_by("municipality__name")
    )
    for provider in providers:
        provider.start_url = start_url(provider, next_url or "")
    return {"providers": providers, "next": next_url}
