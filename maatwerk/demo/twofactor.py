"""The demo's logins that must use two-factor login (functional administrators and legality checkers)
get an app device when the demo is loaded, so that someone trying the demo needs no phone:
`manage.py demo_code <login>` prints the code their app would show. Only for the demo's own accounts and
never in production (the demo command refuses to run there at all)."""

from maatwerk.accounts import twofactor
from maatwerk.accounts.models import User

from .organisation import MUNICIPAL_DEMO_ROLES, MUNICIPALITIES

DEMO_EMAIL_DOMAIN = "@demo.invalid"


def demo_usernames() -> set[str]:
    names = {"landelijk.programme"}
    for _name, _code, slug, _teams in MUNICIPALITIES:
        names |= {f"{slug}.{role}" for role in MUNICIPAL_DEMO_ROLES} | {f"{slug}.worker2", f"{slug}.college"}
    return names


def is_demo_user(user: User) -> bool:
    # Both the name and the address the demo gives its users: a real account is never taken for one.
    return user.username in demo_usernames() and user.email.endswith(DEMO_EMAIL_DOMAIN)


def ensure_devices() -> int:
    """An app device for every demo login that must use two-factor login and has none; returns how many
    were made (0 on a second run)."""
    made = 0
    for user in User.objects.filter(username__in=demo_usernames(), email__endswith=DEMO_EMAIL_DOMAIN):
        if twofactor.is_required(user) and not twofactor.has_device(user):
            twofactor.enrol_directly(user, by=None, purpose="two-factor switched on for the demo")
            made += 1
    return made


def needs_code(username: str) -> bool:
    user = User.objects.filter(username=username).first()
    return user is not None and twofactor.has_device(user)
