import pytest
from django.core.management import call_command
from django.db.models import Avg, F
from stdnum.nl import bsn

from conftest import delete_demo_case_files
from maatwerk.cases.models import Case, Feedback, FollowUp, Household, Person, Reflection, Status, Tone
from maatwerk.demo import cases as demo_cases
from maatwerk.demo.organisation import ensure_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_organisation()


def snapshot():
    return list(Case.objects.order_by("id").values_list("status", "domains", "agencies", "household__name"))


def test_demo_command_makes_cases_in_every_status_for_every_municipality(organisation):
    call_command("demo", households=540, seed=3, verbosity=0)
    assert Household.objects.count() == 540 + 1  # and the household of the EUR 6,500 story
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert Case.objects.values("municipality").distinct().count() == 9
    # Every case sits in the team and municipality of its household.
    assert not Case.objects.exclude(team=F("household__team")).exists()
    assert all(bsn.is_valid(b) for b in Person.objects.exclude(bsn="").values_list("bsn", flat=True))
    average = Feedback.objects.aggregate(avg=Avg("grade"))["avg"]
    assert 8.0 <= average <= 9.0
    assert Reflection.objects.filter(tone=Tone.CRITICAL).exists()
    assert (
        Reflection.objects.filter(tone=Tone.POSITIVE).count()
        > Reflection.objects.filter(tone=Tone.CRITICAL).count()
    )
    # Closed cases have follow-ups planned; aftercare cases have the 3-month one done.
    assert not Case.objects.filter(
        status=Status.AFTERCARE, followups__kind="3m", followups__done_on=None
    ).exists()
    assert FollowUp.objects.filter(done_on=None).count() > 0


def test_demo_is_deterministic_for_a_seed(organisation):
    demo_cases.generate(60, seed=7)
    first = snapshot()
    delete_demo_case_files()
    demo_cases.generate(60, seed=7)
    assert snapshot() == first


def test_demo_does_not_add_households_twice(organisation):
    assert demo_cases.generate(30, seed=1) == 30
    assert demo_cases.generate(30, seed=1) == 0
    assert Household.objects.count() == 30


def test_default_is_twelve_per_team(organisation):
    call_command("demo", verbosity=0)
    assert Household.objects.count() == 12 * 18 + 1  # and the household of the EUR 6,500 story
