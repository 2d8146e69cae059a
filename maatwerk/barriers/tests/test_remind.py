import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from maatwerk.barriers import services
from maatwerk.barriers.models import Level

from .factories import SECRET_NAMES, case_for, childcare_barrier

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def run(*args) -> str:
    out = io.StringIO()
    call_command("remind", *args, stdout=out)
    return out.getvalue()


@time_machine.travel(NOW, tick=False)
def test_remind_lists_and_mails_overdue_escalations(world):
    for user, address in ((world.alice, "alice@example.org"), (world.erin, "erin@example.org")):
        user.email = address
        user.save()
    barrier = childcare_barrier(world, case=case_for(world))
    services.escalate_barrier(
        barrier, by=world.alice, level=Level.TEAM, to="Teamleider Zuid", due_date=datetime.date(2026, 11, 30)
    )
    assert run() == "Er is niets verlopen of te beantwoorden.\n"
    with time_machine.travel(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC), tick=False):
        output = run()
    assert barrier.reference in output and "3 dagen te laat" in output and "Teamleider Zuid" in output
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "erin@example.org"]
    assert all(secret not in m.body for m in mail.outbox for secret in SECRET_NAMES)


@time_machine.travel(NOW, tick=False)
def test_remind_ignores_answered_and_closed_and_looks_ahead_with_days(world):
    barrier = childcare_barrier(world)
    esc = services.escalate_barrier(
        barrier, by=world.lars, level=Level.MUNICIPALITY, to="MWF", due_date=datetime.date(2026, 11, 25)
    )
    assert "MWF" not in run("--no-email")
    assert "MWF" in run("--days", "2", "--no-email")
    services.record_answer(esc, by=world.lars, answer="Nee", decision="rejected")
    with time_machine.travel(datetime.datetime(2026, 12, 25, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert "MWF" not in run()
    assert mail.outbox == []
