"""Research requests as demo data, so that the researcher and the policy officers have something to do.

Two requests of `eindhoven.researcher`, made and decided through the research services as users would:
- an evaluation over Eindhoven alone, approved by `eindhoven.policy`: its export is queued, and the task
  worker that `make run` starts builds it (the researcher finds it ready to download);
- a comparison of Eindhoven and Utrecht with de-identified quotes and notes, approved by Eindhoven and
  waiting for `utrecht.policy` to decide Utrecht's part.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from maatwerk.accounts.models import Municipality
from maatwerk.research import services
from maatwerk.research.models import ResearchRequest, VariableGroup


def _month(months_back: int) -> str:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months_back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@transaction.atomic
def ensure_research() -> int:
    """The two requests, once (nothing when any request exists). The number made."""
    User = get_user_model()
    researcher = User.objects.filter(username="eindhoven.researcher").first()
    policy = User.objects.filter(username="eindhoven.policy").first()
    places = {m.code: m for m in Municipality.objects.filter(code__in=["0772", "0344"])}
    if ResearchRequest.objects.exists() or researcher is None or policy is None or len(places) < 2:
        return 0
    evaluation = services.create_request(
        by=researcher,
        purpose="Evaluatie van Eenvoudig Maatwerk voor het landelijk programma",
        question="Welke kosten vermijdt maatwerk van een wijkteam, en houdt dat een jaar stand?",
        period_from=_month(36),
        period_to=_month(0),
        municipalities=[places["0772"]],
        variable_groups=[g.value for g in VariableGroup],
        free_text=False,
    )
    services.decide_part(
        by=policy,
        part=evaluation.parts.get(),
        approve=True,
        reason="Past bij het doel van de City Deal; gegevens gepseudonimiseerd en k-anoniem.",
    )
    comparison = services.create_request(
        by=researcher,
        purpose="Vergelijking van twee steden voor de kennisagenda",
        question="Waar lopen huishoudens vast, en wat zeggen cliënten en professionals daarover?",
        period_from=_month(24),
        period_to=_month(0),
        municipalities=[places["0772"], places["0344"]],
        variable_groups=[VariableGroup.OUTCOME.value, VariableGroup.BARRIERS.value],
        free_text=True,
    )
    services.decide_part(
        by=policy,
        part=comparison.parts.get(municipality=places["0772"]),
        approve=True,
        reason="Akkoord voor Eindhoven.",
    )
    return 2
