"""The support plan as a PDF (WeasyPrint), for sharing with a housing corporation or a health insurer.

Deliberately sparse on personal data: the case reference and the applicant's first name identify the
household for the reader; no surnames, no BSN, no birth years, no notes.

Imports evaluation and presentation only; services imports this module (inside ``export_plan_pdf``).
"""

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from maatwerk.cases.models import Person

from .evaluation import HOURLY_RATE_SOURCE
from .models import PlanAgreement
from .presentation import ROUTE_LABELS, flows_with_sources, summary, version_problem

CSS_PATH = Path(__file__).resolve().parent / "static" / "businesscases" / "plan_pdf.css"


def _first_name(case) -> str:
    """The applicant's first name; otherwise the first adult's."""
    persons = Person.objects.filter(household_id=case.household_id)
    person = (
        persons.filter(role=Person.HouseholdRole.APPLICANT).first()
        or persons.exclude(role=Person.HouseholdRole.CHILD).first()
    )
    return person.first_name if person else ""


def plan_context(case, version, triangle) -> dict:
    problem = version_problem(version)
    shown = version if problem is None else None
    return {
        "case": case,
        "first_name": _first_name(case),
        "team": case.team.name,
        "municipality": case.municipality.name,
        "domains": [d.label for d in case.domain_list],
        # One line, the other agency as an item of its own (never a bracket behind UWV): Case.agency_labels.
        "agencies": case.agency_labels,
        "signature_parties": [
            {"title": _("The household"), "name": _first_name(case), "role": _("household")},
            {"title": _("The partner"), "name": "", "role": ""},
        ],
        "agreements": list(PlanAgreement.objects.filter(case=case).order_by("order", "id")),
        "version": version,
        "problem": problem,
        "s": summary(shown.result) if shown else None,
        "flows": flows_with_sources(shown) if shown else [],
        "triangle": triangle,
        "rendement": triangle.rendement if triangle else None,
        "hourly_rate_source": HOURLY_RATE_SOURCE,
        "routes": ROUTE_LABELS,
        "generated_at": timezone.localtime(),
        "title": _("Support plan %(ref)s") % {"ref": case.reference},
    }


def render_plan_pdf(case, version, triangle) -> bytes:
    import weasyprint

    html = render_to_string("businesscases/plan_pdf.html", plan_context(case, version, triangle))
    return weasyprint.HTML(string=html, base_url=str(CSS_PATH.parent)).write_pdf(
        stylesheets=[weasyprint.CSS(filename=str(CSS_PATH))]
    )
