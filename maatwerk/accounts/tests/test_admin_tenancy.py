"""/beheer/ keeps a municipality's administrator inside their municipality (issue 10, point 1).

Every probe goes through the real admin URLs with the test client, as a browser would: GET the form, read
the choices it offers, POST it back (changed by hand where an attacker would). Adam administers Eindhoven;
Ulla, made here, administers Utrecht.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client

from conftest import PASSWORD, client_login, make_user
from maatwerk.accounts.admin_base import NationalDataAdmin, OperatorOnlyMixin, ScopedAdmin
from maatwerk.accounts.audit import SECRET_NEW
from maatwerk.accounts.models import AccessLog, ApiToken, Membership, Role, User, loggable_path
from maatwerk.budgets.models import Channel, Mandate

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-horse-staple-42"  # noqa: S105 (test-only password)


class FormReader(HTMLParser):
    """The fields of the admin page's main form with their current values, and each select's options."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.options: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and "__prefix__" not in name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name and "__prefix__" not in name:
            self._select = name
            self.options[name] = []
            self.data.setdefault(name, [])
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value") or "")
            if "selected" in a:
                self.data[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name and "__prefix__" not in name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def read_form(response) -> FormReader:
    assert response.status_code == 200, response.status_code
    reader = FormReader()
    reader.feed(response.content.decode())
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader


def post_data(reader: FormReader, **changes) -> dict:
    data = {k: v for k, v in reader.data.items() if v}
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def log_in(client: Client, username: str, password: str = PASSWORD) -> Client:
    """Through the login page, as a person would (django-axes needs the request), with the code where
    two-factor login applies."""
    assert client_login(client, username, password).status_code == 302
    return client


def staff(user: User) -> User:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def admins(world):
    staff(world.adam)
    world.ulla = staff(make_user("ulla", Role.ADMIN, municipality=world.utrecht))
    return world


@pytest.fixture
def adam(admins, client_for) -> Client:
    return client_for(admins.adam)


def user_url(user, suffix="change/"):
    return f"/beheer/accounts/user/{user.pk}/{suffix}"


def not_found(response) -> bool:
    # The admin answers an object outside the queryset with a redirect to its index ("does not exist").
    return response.status_code in (302, 404)


# --- (a) superuser, staff, groups and permissions are the operator's ---


def test_admin_form_does_not_offer_superuser_staff_groups_or_permissions(adam, admins):
    form = read_form(adam.get(user_url(admins.adam)))
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert field not in form.data
        assert field not in form.options
    assert "is_active" in form.data


def test_admin_crafted_post_cannot_make_self_superuser(adam, admins):
    group = Group.objects.create(name="Alles")
    group.permissions.set(Permission.objects.all())
    form = read_form(adam.get(user_url(admins.adam)))
    perm = Permission.objects.get(codename="change_group")
    data = post_data(
        form,
        first_name="Adam",
        is_superuser="on",
        is_staff="on",
        groups=str(group.pk),
        user_permissions=str(perm.pk),
    )
    response = adam.post(user_url(admins.adam), data)
    assert response.status_code == 302  # the fields were ignored, the rest was saved
    admins.adam.refresh_from_db()
    assert not admins.adam.is_superuser
    assert not admins.adam.groups.exists()
    assert not admins.adam.user_permissions.exists()
    assert admins.adam.first_name == "Adam"


def test_superuser_grants_staff_status_but_no_superuser_status_through_the_web(admins, client_for):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    c = client_for(root)
    page = c.get(user_url(admins.bob))
    body = page.content.decode()
    assert 'name="is_staff"' in body and 'name="groups"' in body
    assert 'name="is_superuser"' not in body
    response = c.post(user_url(admins.bob), post_data(read_form(page), is_staff="on", is_superuser="on"))
    assert response.status_code == 302
    admins.bob.refresh_from_db()
    assert admins.bob.is_staff
    assert not admins.bob.is_superuser


def test_admin_cannot_reach_groups_or_login_records(adam, admins):
    admins.adam.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["auth", "axes"]))
    for url in ("/beheer/auth/group/", "/beheer/auth/group/add/", "/beheer/axes/accessattempt/"):
        assert adam.get(url).status_code == 403, url


# --- (b) no membership of one's own in another municipality ---


def test_admin_membership_choices_hold_only_own_municipality(adam, admins):
    inline = read_form(adam.get(user_url(admins.adam)))
    assert set(inline.options["memberships-0-municipality"]) - {""} == {str(admins.eindhoven.pk)}
    assert Role.PROGRAMME not in inline.options["memberships-0-role"]
    form = read_form(adam.get("/beheer/accounts/membership/add/"))
    assert set(form.options["municipality"]) - {""} == {str(admins.eindhoven.pk)}
    assert set(form.options["team"]) - {""} <= {str(admins.team_a.pk), str(admins.team_b.pk)}
    assert Role.PROGRAMME not in form.options["role"]
    users = set(form.options["user"]) - {""}
    assert str(admins.alice.pk) in users and str(admins.adam.pk) in users
    assert str(admins.carol.pk) not in users and str(admins.pat.pk) not in users


def test_team_autocomplete_answers_only_own_teams(adam, admins):
    response = adam.get(
        "/beheer/autocomplete/",
        {"app_label": "accounts", "model_name": "membership", "field_name": "team", "term": "Wijkteam"},
    )
    assert response.status_code == 200
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert ids == {admins.team_a.pk, admins.team_b.pk}


def test_admin_cannot_add_own_membership_in_other_municipality(adam, admins):
    form = read_form(adam.get("/beheer/accounts/membership/add/"))
    for crafted in (
        {"role": Role.WORKER, "team": str(admins.team_c.pk), "municipality": str(admins.utrecht.pk)},
        {"role": Role.ADMIN, "municipality": str(admins.utrecht.pk)},
        {"role": Role.WORKER, "team": str(admins.team_c.pk)},
        {"role": Role.PROGRAMME},
    ):
        data = post_data(form, user=str(admins.adam.pk), **crafted)
        response = adam.post("/beheer/accounts/membership/add/", data)
        assert response.status_code == 200, crafted  # the form again, with an error
        assert "errornote" in response.content.decode()
    assert set(Membership.objects.filter(user=admins.adam).values_list("role", "municipality")) == {
        (Role.ADMIN, admins.eindhoven.pk)
    }
    # And so the cases of Utrecht's team stay out of reach.
    assert adam.get(f"/teams/{admins.team_c.pk}/").status_code == 404


def test_admin_cannot_add_membership_in_other_municipality_through_the_user_page(adam, admins):
    form = read_form(adam.get(user_url(admins.adam)))
    n = int(form.data["memberships-TOTAL_FORMS"][0])
    data = post_data(
        form,
        **{
            "memberships-TOTAL_FORMS": str(n + 1),
            f"memberships-{n}-role": Role.WORKER,
            f"memberships-{n}-team": str(admins.team_c.pk),
            f"memberships-{n}-municipality": str(admins.utrecht.pk),
        },
    )
    response = adam.post(user_url(admins.adam), data)
    assert response.status_code == 200
    assert not Membership.objects.filter(user=admins.adam, municipality=admins.utrecht).exists()


def test_admin_may_make_another_admin_in_own_municipality_but_not_staff(adam, admins):
    form = read_form(adam.get("/beheer/accounts/membership/add/"))
    data = post_data(form, user=str(admins.bob.pk), role=Role.ADMIN, municipality=str(admins.eindhoven.pk))
    assert adam.post("/beheer/accounts/membership/add/", data).status_code == 302
    assert Membership.objects.filter(user=admins.bob, role=Role.ADMIN, municipality=admins.eindhoven).exists()
    admins.bob.refresh_from_db()
    assert not admins.bob.is_staff  # /beheer/ stays closed until a superuser opens it


def test_admin_cannot_give_programme_role_through_the_user_page(adam, admins):
    form = read_form(adam.get(user_url(admins.alice)))
    data = post_data(form, **{"memberships-0-role": Role.PROGRAMME, "memberships-0-team": None})
    response = adam.post(user_url(admins.alice), data)
    assert response.status_code == 200
    assert set(admins.alice.memberships.values_list("role", flat=True)) == {Role.WORKER}


# --- (c) another municipality's users are out of reach ---


def test_admin_lists_only_users_teams_and_municipality_of_own_municipality(adam, admins):
    users = adam.get("/beheer/accounts/user/").content.decode()
    for user in (admins.alice, admins.bob, admins.dave, admins.erin, admins.adam):
        assert user_url(user) in users
    for user in (admins.carol, admins.pat, admins.ulla):
        assert user_url(user) not in users
    teams = adam.get("/beheer/accounts/team/").content.decode()
    assert f"/team/{admins.team_a.pk}/change/" in teams
    assert f"/team/{admins.team_c.pk}/change/" not in teams
    assert "Utrecht" not in teams  # not even in the municipality filter
    form = read_form(adam.get("/beheer/accounts/team/add/"))
    assert set(form.options["municipality"]) - {""} == {str(admins.eindhoven.pk)}
    municipalities = adam.get("/beheer/accounts/municipality/").content.decode()
    assert "Eindhoven" in municipalities and "Utrecht" not in municipalities


def test_utrecht_admin_sees_utrecht_only(admins, client_for):
    c = client_for(admins.ulla)
    users = c.get("/beheer/accounts/user/").content.decode()
    assert user_url(admins.carol) in users
    assert user_url(admins.alice) not in users
    assert not_found(c.get(user_url(admins.alice)))


def test_admin_cannot_open_reset_or_take_over_other_municipality_user(adam, admins):
    assert not_found(adam.get(user_url(admins.carol)))
    response = adam.post(
        user_url(admins.carol, "password/"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code in (302, 403, 404)
    admins.carol.refresh_from_db()
    assert admins.carol.check_password(PASSWORD)
    # Nor by first giving carol a membership in Eindhoven.
    form = read_form(adam.get("/beheer/accounts/membership/add/"))
    data = post_data(form, user=str(admins.carol.pk), role=Role.WORKER, team=str(admins.team_a.pk))
    assert adam.post("/beheer/accounts/membership/add/", data).status_code == 200
    assert not admins.carol.memberships.filter(municipality=admins.eindhoven).exists()


def test_user_with_membership_elsewhere_is_visible_but_not_editable(adam, admins):
    Membership.objects.create(user=admins.erin, role=Role.POLICY, municipality=admins.utrecht)
    page = adam.get(user_url(admins.erin))
    assert page.status_code == 200  # view only
    body = page.content.decode()
    assert 'name="first_name"' not in body
    assert "Utrecht" not in body  # the Utrecht membership is not shown either
    response = adam.post(
        user_url(admins.erin, "password/"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 403
    admins.erin.refresh_from_db()
    assert admins.erin.check_password(PASSWORD)
    assert adam.get(user_url(admins.pat)).status_code == 302  # national programme: not even visible


def test_admin_cannot_edit_a_superuser_of_own_municipality(adam, admins):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    Membership.objects.create(user=root, role=Role.POLICY, municipality=admins.eindhoven)
    assert adam.post(user_url(root, "password/"), {"password1": NEW_PASSWORD}).status_code == 403
    form = read_form(adam.get(user_url(root)))
    assert "first_name" not in form.data
    assert adam.post(user_url(root), {"username": "root", "first_name": "X"}).status_code == 403


def test_admin_creates_user_only_with_membership_in_own_municipality(adam, admins):
    form = read_form(adam.get("/beheer/accounts/user/add/"))
    assert set(form.options["memberships-0-municipality"]) - {""} == {str(admins.eindhoven.pk)}
    base = post_data(
        form,
        username="wendy",
        password1=NEW_PASSWORD,
        password2=NEW_PASSWORD,
        usable_password="true",
        **{"memberships-0-role": Role.WORKER},
    )
    # Without a membership, or with one in Utrecht: refused, nobody created.
    assert (
        adam.post("/beheer/accounts/user/add/", {**base, "memberships-TOTAL_FORMS": "0"}).status_code == 200
    )
    crafted = {**base, "memberships-0-team": str(admins.team_c.pk)}
    assert adam.post("/beheer/accounts/user/add/", crafted).status_code == 200
    assert not User.objects.filter(username="wendy").exists()
    ok = {**base, "memberships-0-team": str(admins.team_a.pk)}
    assert adam.post("/beheer/accounts/user/add/", ok).status_code == 302
    wendy = User.objects.get(username="wendy")
    assert not wendy.is_staff and not wendy.is_superuser
    assert list(wendy.memberships.values_list("team", flat=True)) == [admins.team_a.pk]
    logged = AccessLog.objects.get(object_type="accounts.user", object_id=str(wendy.pk), action="create")
    assert logged.user == admins.adam and logged.municipality == admins.eindhoven
    assert logged.changes["password1"] == [None, SECRET_NEW]
    assert logged.changes["username"] == [None, "wendy"]
    assert wendy.password not in str(logged.changes)
    membership = AccessLog.objects.get(object_type="accounts.membership", action="create")
    assert membership.changes["role"] == [None, Role.WORKER]


def test_worker_with_staff_status_manages_nothing(admins, client_for):
    staff(admins.alice)
    c = client_for(admins.alice)
    for url in ("/beheer/accounts/user/", "/beheer/accounts/membership/add/", "/beheer/budgets/mandate/"):
        assert c.get(url).status_code == 403, url


# --- the audit trail ---


def test_membership_change_is_logged_with_old_and_new_values(adam, admins):
    form = read_form(adam.get(user_url(admins.alice)))
    data = post_data(form, **{"memberships-0-role": Role.TEAM_LEAD, "last_name": "de Boer"})
    assert adam.post(user_url(admins.alice), data).status_code == 302
    membership = AccessLog.objects.get(object_type="accounts.membership", action="update")
    assert membership.changes == {"role": [Role.WORKER, Role.TEAM_LEAD]}
    assert membership.user == admins.adam and membership.municipality == admins.eindhoven
    user = AccessLog.objects.get(object_type="accounts.user", action="update")
    assert user.changes == {"last_name": ["", "de Boer"]}


def test_deleted_membership_is_logged_with_what_it_was(adam, admins):
    extra = Membership.objects.create(user=admins.alice, role=Role.WORKER, team=admins.team_b)
    assert adam.get(f"/beheer/accounts/membership/{extra.pk}/delete/").status_code == 200
    assert adam.post(f"/beheer/accounts/membership/{extra.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=extra.pk).exists()
    row = AccessLog.objects.get(object_type="accounts.membership", action="delete")
    assert row.object_id == str(extra.pk)
    assert row.changes["team"] == [admins.team_b.pk, None]
    assert row.changes["user"] == [admins.alice.pk, None]


def test_access_log_stays_append_only_and_scoped(adam, admins, client_for):
    from maatwerk.accounts.audit import log_access

    mine = log_access(admins.alice, admins.team_a, action="read", purpose="t")
    theirs = log_access(admins.carol, admins.team_c, action="read", purpose="t")
    listing = adam.get("/beheer/accounts/accesslog/").content.decode()
    assert f"/accesslog/{mine.pk}/change/" in listing
    assert f"/accesslog/{theirs.pk}/change/" not in listing
    assert adam.post(f"/beheer/accounts/accesslog/{mine.pk}/delete/", {"post": "yes"}).status_code == 403


# --- mandates, budgets, legality rules, ledger, batches ---


def test_mandates_are_shown_scoped_and_read_only_in_the_admin(adam, admins):
    """The ladder is kept on its own page through the service (one set of rules, one audit row); the admin
    shows the own municipality's rungs and changes none."""
    own = Mandate.objects.create(
        municipality=admins.eindhoven, channel=Channel.MAATWERKBUDGET, role=Role.WORKER
    )
    other = Mandate.objects.create(
        municipality=admins.utrecht, channel=Channel.MAATWERKBUDGET, role=Role.WORKER
    )
    listing = adam.get("/beheer/budgets/mandate/").content.decode()
    assert f"/mandate/{own.pk}/change/" in listing and f"/mandate/{other.pk}/change/" not in listing
    assert not_found(adam.get(f"/beheer/budgets/mandate/{other.pk}/change/"))
    assert adam.get("/beheer/budgets/mandate/add/").status_code == 403
    data = {"municipality": admins.eindhoven.pk, "channel": Channel.MAATWERKBUDGET, "role": Role.TEAM_LEAD}
    assert adam.post(f"/beheer/budgets/mandate/{own.pk}/change/", data).status_code == 403
    assert Mandate.objects.get(pk=own.pk).role == Role.WORKER
    assert adam.get("/beheer/budgets/legalitycheckrule/add/").status_code == 403


def test_budget_pages_are_scoped(adam, admins):
    from maatwerk.budgets.models import PaymentBatch
    from maatwerk.budgets.tests.factories import make_budget

    own = make_budget(admins)
    other = make_budget(admins, team=admins.team_c)
    listing = adam.get("/beheer/budgets/budget/").content.decode()
    assert f"/budget/{own.pk}/change/" in listing and f"/budget/{other.pk}/change/" not in listing
    form = read_form(adam.get("/beheer/budgets/budget/add/"))
    assert set(form.options["team"]) - {""} == {str(admins.team_a.pk), str(admins.team_b.pk)}
    ledger = adam.get("/beheer/budgets/ledgerentry/").content.decode()
    own_entry, other_entry = own.entries.get(), other.entries.get()
    assert f"/ledgerentry/{own_entry.pk}/change/" in ledger
    assert f"/ledgerentry/{other_entry.pk}/change/" not in ledger
    assert not_found(adam.get(f"/beheer/budgets/ledgerentry/{other_entry.pk}/change/"))
    assert adam.get("/beheer/budgets/paymentbatch/").status_code == 200
    assert PaymentBatch.objects.count() == 0


# --- API tokens ---


def test_token_admin_lists_and_revokes_only_own_municipality_tokens(adam, admins, client):
    own, own_key = ApiToken.issue(admins.alice, "script")
    other, other_key = ApiToken.issue(admins.carol, "script")
    listing = adam.get("/beheer/accounts/apitoken/").content.decode()
    assert f"/apitoken/{own.pk}/change/" in listing and f"/apitoken/{other.pk}/change/" not in listing
    assert adam.get("/beheer/accounts/apitoken/add/").status_code == 403
    data = {"action": "revoke", "_selected_action": [str(own.pk), str(other.pk)]}
    assert adam.post("/beheer/accounts/apitoken/", data).status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.revoked and not other.revoked
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {own_key}").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code == 200
    row = AccessLog.objects.get(object_type="accounts.apitoken")
    assert row.changes["revoked_at"][0] is None and row.object_id == str(own.pk)
    assert own.key_hash not in str(row.changes)


# --- a password change revokes tokens and ends other sessions ---


def test_admin_password_reset_revokes_tokens_and_ends_sessions(adam, admins, client_for, client):
    _, key = ApiToken.issue(admins.alice, "script")
    alice_elsewhere = client_for(admins.alice)
    assert alice_elsewhere.get("/api/v1/me").status_code == 200
    response = adam.post(
        user_url(admins.alice, "password/"),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    admins.alice.refresh_from_db()
    assert admins.alice.check_password(NEW_PASSWORD)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert alice_elsewhere.get("/api/v1/me").status_code == 401
    assert adam.get("/beheer/").status_code == 200  # the administrator's own session stays
    row = AccessLog.objects.get(purpose__startswith="password changed")
    assert row.user == admins.adam and row.object_id == str(admins.alice.pk)
    assert row.changes == {"password": ["(verborgen)", "(gewijzigd)"], "api_tokens_revoked": [0, 1]}
    assert admins.alice.password not in str(row.changes)


def test_own_password_change_keeps_current_session_only(admins, client):
    _, key = ApiToken.issue(admins.adam, "script")
    log_in(client, "adam")
    other = log_in(Client(), "adam")
    response = client.post(
        "/beheer/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/beheer/").status_code == 200
    assert other.get("/api/v1/me").status_code == 401
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert AccessLog.objects.get(purpose__startswith="password changed").user == admins.adam


def test_set_password_anywhere_revokes_tokens(world, client):
    _, key = ApiToken.issue(world.bob, "script")
    world.bob.set_password(NEW_PASSWORD)
    world.bob.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    row = AccessLog.objects.get(purpose__startswith="password changed")
    assert row.user is None and row.municipality == world.eindhoven


def test_saving_a_user_without_new_password_keeps_tokens(world, client, settings):
    token, key = ApiToken.issue(world.bob, "script")
    world.bob.first_name = "Robert"
    world.bob.save()
    # A login that re-hashes the password with a newer hasher is not a password change either.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    before = User.objects.get(pk=world.bob.pk).password
    log_in(Client(), "bob")
    assert User.objects.get(pk=world.bob.pk).password != before  # upgraded
    token.refresh_from_db()
    assert not token.revoked
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


# --- AccessLog.path holds no search terms ---


def test_case_list_search_term_is_not_in_the_access_log(world, client_for):
    from maatwerk.cases.tests.factories import household_case

    household_case(world, name="Jansen")
    response = client_for(world.alice).get("/casussen/", {"q": "Jansen", "status": "intake", "page": "1"})
    assert response.status_code == 200
    rows = AccessLog.objects.filter(purpose="case list")
    assert rows.exists()
    for row in rows:
        assert "Jansen" not in row.path and "q=" not in row.path
        assert row.path == "/casussen/?status=intake&page=1"


def test_single_read_path_drops_the_query():
    assert loggable_path("/teams/3/?q=Jansen") == "/teams/3/"
    assert loggable_path("/casussen/?q=de+Vries&domain=2&overdue=1") == "/casussen/?domain=2&overdue=1"
    # An allowed key with free text in it is dropped too.
    assert loggable_path("/casussen/?status=Jan%20Jansen") == "/casussen/"
    assert loggable_path("/api/v1/cases?q=bos&limit=20") == "/api/v1/cases?limit=20"


# --- every admin on the site follows these rules ---


def test_every_registered_admin_is_scoped_national_or_operator_only():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, ScopedAdmin | NationalDataAdmin | OperatorOnlyMixin), model


def test_demo_admin_manages_own_municipality(db, client):
    from django.conf import settings

    from maatwerk.demo.organisation import ensure_organisation

    ensure_organisation()
    log_in(client, "eindhoven.admin", settings.DEMO_PASSWORD)
    assert client.get("/beheer/").status_code == 200
    users = client.get("/beheer/accounts/user/").content.decode()
    worker = User.objects.get(username="eindhoven.worker")
    assert user_url(worker) in users
    assert user_url(User.objects.get(username="utrecht.worker")) not in users
    assert user_url(User.objects.get(username="landelijk.programme")) not in users
    form = read_form(client.get(user_url(worker)))
    data = post_data(form, last_name="Bakker-de Wit")
    assert client.post(user_url(worker), data).status_code == 302
    assert client.get("/beheer/budgets/mandate/").status_code == 200
    assert client.get("/beheer/catalogue/costoverride/").status_code == 200


def test_other_routes_into_another_municipality_are_closed(adam, admins):
    carols = admins.carol.memberships.get()
    assert not_found(adam.get(f"/beheer/accounts/membership/{carols.pk}/change/"))
    assert not_found(adam.get(user_url(admins.carol, "history/")))
    assert (
        adam.get("/beheer/accounts/user/", {"q": "carol"}).content.decode().count(user_url(admins.carol)) == 0
    )
    # The autocomplete answers from the related model's scoped admin, whichever source field is named.
    for field in ("user", "municipality"):
        response = adam.get(
            "/beheer/autocomplete/", {"app_label": "budgets", "model_name": "mandate", "field_name": field}
        )
        if response.status_code == 200:
            texts = {r["text"] for r in response.json()["results"]}
            assert "carol" not in texts and "Utrecht" not in texts
    # A bulk delete that slips in a membership of a user with one elsewhere is refused as a whole.
    Membership.objects.create(user=admins.erin, role=Role.POLICY, municipality=admins.utrecht)
    erins = admins.erin.memberships.get(municipality=admins.eindhoven)
    bobs = admins.bob.memberships.get()
    data = {"action": "delete_selected", "post": "yes", "_selected_action": [str(erins.pk), str(bobs.pk)]}
    assert adam.post("/beheer/accounts/membership/", data).status_code == 403
    assert Membership.objects.filter(pk__in=[erins.pk, bobs.pk]).count() == 2
    form = read_form(adam.get(f"/beheer/accounts/membership/{erins.pk}/change/"))
    assert "role" not in form.data  # view only
    assert (
        adam.post(f"/beheer/accounts/membership/{erins.pk}/change/", {"role": Role.ADMIN}).status_code == 403
    )
