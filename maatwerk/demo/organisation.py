"""The synthetic organisation: nine municipalities, their teams and one demo user per role."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from maatwerk.accounts.models import Membership, Municipality, Role, Team, User

# (name, CBS code, slug, two neighbourhood teams). All people below are invented.
MUNICIPALITIES = [
    ("Eindhoven", "0772", "eindhoven", ["Woensel-Noord", "Stratum"]),
    ("Enschede", "0153", "enschede", ["Velve-Lindenhof", "Deppenbroek"]),
    ("Leeuwarden", "0080", "leeuwarden", ["Heechterp-Schieringen", "Vrijheidswijk"]),
    ("Utrecht", "0344", "utrecht", ["Overvecht", "Kanaleneiland"]),
    ("Zaanstad", "0479", "zaanstad", ["Poelenburg", "Peldersveld"]),
    ("Amsterdam", "0363", "amsterdam", ["Nieuw-West", "Noord"]),
    ("Den Haag", "0518", "denhaag", ["Transvaal", "Moerwijk"]),
    ("Delft", "0503", "delft", ["Buitenhof", "Tanthof"]),
    ("Tilburg", "0855", "tilburg", ["Groenewoud", "Stokhasselt"]),
]

# Names as one meets them in a Dutch city's neighbourhood team: Dutch, Frisian and Twents names beside
# Moroccan, Turkish, Surinamese, Antillean, Indonesian, Cape Verdean, Polish, Syrian, Eritrean and
# Ghanaian ones.
# The two lists have coprime lengths (30 and 31), so user number i gets the pair (i mod 30, 13i+4 mod 31):
# by the Chinese remainder theorem no two of the first 930 demo users share a first and last name.
FIRST_NAMES = [
    "Sanne",
    "Ahmed",
    "Femke",
    "Jeroen",
    "Yasmina",
    "Ruud",
    "Ilse",
    "Mehmet",
    "Anouk",
    "Kofi",
    "Priya",
    "Sjoerd",
    "Naima",
    "Wouter",
    "Esra",
    "Rachid",
    "Marieke",
    "Dewi",
    "Tjitske",
    "Kwame",
    "Fatima",
    "Bram",
    "Shirley",
    "Omar",
    "Lieke",
    "Agnieszka",
    "Daan",
    "Senait",
    "Hamza",
    "Ingrid",
]
LAST_NAMES = [
    "de Vries",
    "El Amrani",
    "Bakker",
    "Jansen",
    "Öztürk",
    "Visser",
    "Mulder",
    "Pinas",
    "Smit",
    "Bos",
    "Boukhari",
    "Kartosen",
    "Hoekstra",
    "Yilmaz",
    "van Dijk",
    "Martina",
    "Tahiri",
    "Wijaya",
    "Brinkhuis",
    "Mensah",
    "Kowalski",
    "de Graaf",
    "Ramdin",
    "Haddou",
    "Veenstra",
    "Tesfay",
    "Lopes",
    "van den Berg",
    "Aydın",
    "Al-Khatib",
    "Dijkstra",
]


def demo_name(index: int) -> tuple[str, str]:
    """The first and last name of demo user number ``index``; distinct pairs for index < 930."""
    return FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[(13 * index + 4) % len(LAST_NAMES)]


MUNICIPAL_DEMO_ROLES = [
    Role.WORKER,
    Role.TEAM_LEAD,
    Role.LEGAL_CHECKER,
    Role.POLICY,
    Role.RESEARCHER,
    Role.ADMIN,
]


@dataclass
class DemoLogin:
    username: str
    role: str
    where: str


def _user(username: str, index: int) -> User:
    first_name, last_name = demo_name(index)
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@demo.invalid"},
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    elif (user.first_name, user.last_name) != (first_name, last_name):
        # A demo database seeded before the names were made distinct gets them on the next run.
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
    return user


@transaction.atomic
def ensure_organisation() -> list[DemoLogin]:
    """Create (or reuse) the demo organisation; returns the demo logins. Idempotent."""
    logins: list[DemoLogin] = []
    index = 0
    for name, code, slug, team_names in MUNICIPALITIES:
        municipality, _ = Municipality.objects.get_or_create(code=code, defaults={"name": name})
        teams = [
            Team.objects.get_or_create(municipality=municipality, name=f"Wijkteam {team_name}")[0]
            for team_name in team_names
        ]
        for role in MUNICIPAL_DEMO_ROLES:
            username = f"{slug}.{role}"
            user = _user(username, index)
            index += 1
            team = teams[0] if role in (Role.WORKER, Role.TEAM_LEAD) else None
            Membership.objects.get_or_create(user=user, role=role, municipality=municipality, team=team)
            if role == Role.ADMIN and not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            logins.append(DemoLogin(username, role, team.name if team else municipality.name))
        # A worker in the second team, so that the team boundary can be tried out by hand.
        username = f"{slug}.worker2"
        user = _user(username, index)
        index += 1
        Membership.objects.get_or_create(
            user=user, role=Role.WORKER, municipality=municipality, team=teams[1]
        )
        logins.append(DemoLogin(username, Role.WORKER, teams[1].name))
        # Who decides for the college (the top rung of the mandate ladder): a policy role, named in a mandate.
        username = f"{slug}.college"
        user = _user(username, index)
        index += 1
        Membership.objects.get_or_create(user=user, role=Role.POLICY, municipality=municipality, team=None)
        logins.append(DemoLogin(username, Role.POLICY, f"{municipality.name} (college)"))
    user = _user("landelijk.programme", index)
    Membership.objects.get_or_create(user=user, role=Role.PROGRAMME, municipality=None, team=None)
    logins.append(DemoLogin("landelijk.programme", Role.PROGRAMME, "Landelijk programma"))
    _grant_admin_permissions()
    return logins


def _grant_admin_permissions() -> None:
    """Functional administrators manage teams, users and memberships, and may read the access log."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Functioneel beheer")
    codenames = [
        "view_municipality",
        "view_team",
        "add_team",
        "change_team",
        "view_user",
        "add_user",
        "change_user",
        "view_membership",
        "add_membership",
        "change_membership",
        "delete_membership",
        "view_accesslog",
    ]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames)
    )
    for user in User.objects.filter(memberships__role=Role.ADMIN).distinct():
        user.groups.add(group)
