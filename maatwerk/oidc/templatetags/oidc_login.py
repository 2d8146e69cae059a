"""The login page's buttons for the municipalities that log in through their own identity provider."""

from django import template

register = template.Library()


@register.inclusion_tag("oidc/login_choices.html")
def oidc_login_choices(next_url=""):
    return {"providers": [], "next": next_url}
