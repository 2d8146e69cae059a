"""The register filtered by type: where the stories' learning points send a reader per theme."""

from maatwerk.barriers.models import BarrierType

from .factories import childcare_barrier


def test_the_register_shows_only_the_type_asked_for_and_ignores_an_unknown_one(world, client_for):
    childcare_barrier(world, title="Toeslag verrekend met schuld")
    childcare_barrier(world, type=BarrierType.DEADLINES, title="Bezwaartermijn te kort")
    c = client_for(world.alice)
    body = c.get("/knelpunten/?type=deadlines").content.decode()
    assert "Bezwaartermijn te kort" in body and "Toeslag verrekend met schuld" not in body
    assert '<option value="deadlines" selected>' in body
    body = c.get("/knelpunten/?type=made_up").content.decode()
    assert "Bezwaartermijn te kort" in body and "Toeslag verrekend met schuld" in body


def test_the_national_register_filters_by_type_too(world, client_for):
    childcare_barrier(world, title="Toeslag verrekend met schuld")
    childcare_barrier(world, type=BarrierType.DEADLINES, title="Bezwaartermijn te kort")
    body = client_for(world.pat).get("/knelpunten/landelijk/?type=rule_clash").content.decode()
    assert "Toeslag verrekend met schuld" in body and "Bezwaartermijn te kort" not in body
