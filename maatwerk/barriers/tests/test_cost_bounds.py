"""A barrier's cost at stake: not negative, at most the one maximum for money, whole cents (issue 10)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from maatwerk.barriers import services
from maatwerk.barriers.models import Barrier, CaseLink

from .factories import case_for, childcare_barrier


@pytest.mark.parametrize(
    ("cost", "message"),
    [
        ("-1", "De kosten die op het spel staan kunnen niet negatief zijn."),
        ("10000000", "Het bedrag mag hoogstens € 9.999.999,99 zijn."),
        ("1e11", "Het bedrag mag hoogstens € 9.999.999,99 zijn."),
        ("12,345", "Gebruik hoogstens twee decimalen (hele centen)."),
        ("NaN", "Vul een bedrag in euro's in, bijvoorbeeld 125,50."),
    ],
)
def test_a_bad_cost_at_stake_is_refused_naming_the_field(world, cost, message):
    case = case_for(world)
    with pytest.raises(ValidationError) as caught:
        childcare_barrier(world, case=case, cost=cost)
    assert caught.value.message_dict["cost_at_stake"] == [message]
    assert not Barrier.objects.exists()


def test_a_bad_cost_is_refused_when_linking_another_case(world):
    barrier = childcare_barrier(world)
    other = case_for(world, name="Oosterhout", first_name="Gerrit", bsn="123456782")
    with pytest.raises(ValidationError) as caught:
        services.link_case(barrier, other, by=world.alice, cost_at_stake="-250")
    assert list(caught.value.message_dict) == ["cost_at_stake"]
    assert not CaseLink.objects.exists()


def test_a_cost_in_dutch_notation_up_to_the_maximum_is_kept(world):
    barrier = childcare_barrier(world, case=case_for(world), cost="9999999,99")
    assert CaseLink.objects.get(barrier=barrier).cost_at_stake == Decimal("9999999.99")
