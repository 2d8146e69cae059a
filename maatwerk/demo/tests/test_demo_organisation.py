from collections import Counter

import pytest

from maatwerk.accounts.models import User
from maatwerk.demo.organisation import FIRST_NAMES, LAST_NAMES, demo_name, ensure_organisation

pytestmark = pytest.mark.django_db


def test_demo_users_have_distinct_names_across_municipalities():
    logins = ensure_organisation()
    users = User.objects.filter(username__in=[login.username for login in logins])
    assert users.count() == len(logins)
    names = Counter((user.first_name, user.last_name) for user in users)
    assert [name for name, count in names.items() if count > 1] == []
    # The workers of the nine municipalities are nine different people, not nine times the same one.
    workers = users.filter(username__endswith=".worker")
    assert len({user.get_full_name() for user in workers}) == workers.count() == 9


def test_demo_names_are_deterministic_and_varied():
    first = ensure_organisation()
    names = {u.username: u.get_full_name() for u in User.objects.all()}
    assert ensure_organisation() == first
    assert {u.username: u.get_full_name() for u in User.objects.all()} == names
    used = set(names.values())
    assert len({name.split(" ")[0] for name in used}) >= 20
    assert {"El Amrani", "Öztürk", "Pinas", "Mensah", "Tesfay"} & {u.last_name for u in User.objects.all()}


def test_demo_name_pairs_are_distinct_far_beyond_the_demo():
    pairs = [demo_name(i) for i in range(len(FIRST_NAMES) * len(LAST_NAMES))]
    assert len(set(pairs)) == len(pairs)


def test_a_demo_user_seeded_with_an_old_name_gets_the_distinct_one():
    ensure_organisation()
    User.objects.filter(username="utrecht.worker").update(first_name="Sanne", last_name="Jansen")
    ensure_organisation()
    user = User.objects.get(username="utrecht.worker")
    assert (user.first_name, user.last_name) != ("Sanne", "Jansen")
