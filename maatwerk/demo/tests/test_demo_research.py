"""The demo's research requests: one approved and built, one waiting for Utrecht, made once."""

import pytest
from django.core.management import call_command

from maatwerk.demo import research as demo_research
from maatwerk.research.models import RequestPart, ResearchExport, ResearchRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RESEARCH_EXPORT_DIR = tmp_path
    # The default demo (what `make run` loads): enough households in Eindhoven for k = 10.
    call_command("demo", seed=3, verbosity=0)


def test_the_researcher_finds_one_export_ready_and_one_request_waiting_for_utrecht(demo):
    requests = ResearchRequest.objects.filter(researcher__username="eindhoven.researcher")
    assert requests.count() == 2
    # The tests run tasks at once; with `make run` the worker builds it.
    assert ResearchExport.objects.get().state == ResearchExport.State.DONE
    waiting = RequestPart.objects.get(state=RequestPart.State.PENDING)
    assert waiting.municipality.code == "0344"
    assert not ResearchExport.objects.filter(request=waiting.request).exists()


def test_the_requests_are_made_once(demo):
    assert demo_research.ensure_research() == 0
    call_command("demo", seed=3, verbosity=0)
    assert ResearchRequest.objects.count() == 2
