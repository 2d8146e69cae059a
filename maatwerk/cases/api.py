"""Case files in the API: the same services, scoping and read logging as the web pages.

Objects outside the caller's teams answer 404. Every response that shows a household's personal data
writes an AccessLog READ row; validation errors from the services answer 422 with Dutch messages per field.
"""

import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from maatwerk.accounts import tenancy
from maatwerk.accounts.models import Team
from maatwerk.validation import MAX_ID, MAX_PAGE, MAX_PERSONS, MAX_SEARCH, MAX_TEXT

from . import lib, queries, services
from .models import Agency, Case, FollowUp, Household, LifeDomain, Note, Person, Status

router = Router(tags=["cases"])


# --- schemas ------------------------------------------------------------------------------------------


class PersonIn(Schema):
    first_name: str
    last_name: str
    bsn: str = Field("", description="Optional; 9 digits passing the 11-check.")
    birth_year: int | None = None
    role: str = Field(..., description="applicant, partner, child, other_adult or other")


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str
    bsn_masked: str = Field(..., description="Only the last three digits; the full BSN is on /persons/{id}.")
    birth_year: int | None
    role: str

    @staticmethod
    def resolve_bsn_masked(obj):
        return obj.masked_bsn


class PersonDetailOut(PersonOut):
    bsn: str
    household_id: int


class HouseholdIn(Schema):
    team_id: int | None = Field(None, description="Your team; may be left out when you work in one team.")
    name: str
    persons: list[PersonIn] = Field([], max_length=MAX_PERSONS)


class HouseholdOut(Schema):
    id: int
    team_id: int
    municipality_id: int
    name: str
    persons: list[PersonOut]

    @staticmethod
    def resolve_persons(obj):
        return list(obj.persons.all())


class Situation(Schema):
    vastloper: str = ""
    domains: list[int] = Field([], description="Life domains 1-13 (see LifeDomain).")
    agencies: list[int] = Field([], description="Agencies 1-11 (see Agency).")
    other_agency: str = ""
    goal: str = ""


class CaseIn(Situation):
    household_id: int


class CaseListItem(Schema):
    id: int
    reference: str
    household_id: int
    household_name: str
    status: Status
    domains: list[int]
    agencies: list[int]
    lead_worker_id: int | None
    opened_on: datetime.date
    last_activity_at: datetime.datetime
    next_followup_due: datetime.date | None

    @staticmethod
    def resolve_household_name(obj):
        return obj.household.name

    @staticmethod
    def resolve_domains(obj):
        return lib.from_mask(obj.domains)

    @staticmethod
    def resolve_agencies(obj):
        return lib.from_mask(obj.agencies)


class CasePage(Schema):
    items: list[CaseListItem]
    page: int
    has_next: bool = Field(..., description="Pages are not counted (no COUNT over large sets).")


class OutcomeOut(Schema):
    goal_reached: str
    housing_change: str
    income_change: str
    work_change: str
    debts_change: str


class FeedbackOut(Schema):
    grade: int
    quote: str
    quote_consent: bool
    tone: str


class ReflectionOut(Schema):
    doubts: str
    dilemmas: str
    learning_points: str
    needs: str
    tone: str
    share_consent: bool


class FollowUpOut(Schema):
    id: int
    case_id: int
    kind: str
    due_on: datetime.date
    opens_on: datetime.date = Field(..., description="from this day on the follow-up can be recorded")
    done_on: datetime.date | None
    back_in_trouble: bool | None
    kept_home: bool | None
    kept_job: bool | None
    notes: str


class CaseOut(CaseListItem):
    team_id: int
    vastloper: str
    other_agency: str
    goal: str
    closed_on: datetime.date | None
    household: HouseholdOut
    outcome: OutcomeOut | None
    feedback: FeedbackOut | None
    reflection: ReflectionOut | None
    followups: list[FollowUpOut]

    @staticmethod
    def resolve_outcome(obj):
        return getattr(obj, "outcome", None)

    @staticmethod
    def resolve_feedback(obj):
        return getattr(obj, "feedback", None)

    @staticmethod
    def resolve_reflection(obj):
        return getattr(obj, "reflection", None)

    @staticmethod
    def resolve_followups(obj):
        return list(obj.followups.all())


class MoveIn(Schema):
    to: Status
    reason: str = ""


class NoteIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT)


class NoteRevisionOut(Schema):
    text: str
    replaced_by_id: int
    replaced_at: datetime.datetime


class NoteOut(Schema):
    id: int
    author_id: int
    text: str
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    revisions: list[NoteRevisionOut]

    @staticmethod
    def resolve_revisions(obj):
        return list(obj.revisions.all())


class TimeIn(Schema):
    hours: Decimal = Field(..., description="More than 0, at most 24, two decimals.")
    activity: str = Field(..., description="household, agencies, mdt, administration, travel or other")
    day: datetime.date | None = None
    description: str = ""


class TimeOut(Schema):
    id: int
    worker_id: int
    day: datetime.date
    hours: Decimal
    activity: str
    description: str


class ScoresIn(Schema):
    moment: str = Field(..., description="intake, close, followup_3 or followup_12")
    scores: dict[int, int | None] = Field(..., description="Life domain (1-13) → score 1-5; null for none.")


class ScoreOut(Schema):
    moment: str
    domain: int
    score: int


class ParticipantSchema(Schema):
    role: str
    organisation: str


class MdtIn(Schema):
    question: str
    held_on: datetime.date
    # No max_length here: MdtOut reuses this schema, and a bound on output would fail on older rows. The
    # service refuses more than MAX_PARTICIPANTS.
    participants: list[ParticipantSchema]
    advice: str = ""
    decision: str = ""


class MdtOut(MdtIn):
    id: int

    @staticmethod
    def resolve_participants(obj):
        return list(obj.participants.all())


class CloseIn(Schema):
    goal_reached: str = Field(..., description="yes, partly or no")
    housing_change: str = ""
    income_change: str = ""
    work_change: str = ""
    debts_change: str = ""
    grade: int | None = Field(None, description="Client grade 1-10; optional.")
    quote: str = ""
    quote_consent: bool = False
    quote_tone: str = ""
    quote_themes: list[int] = Field(
        [], description="Theme ids (GET /api/v1/voices/themes); at least one when the quote is shared"
    )
    doubts: str = ""
    dilemmas: str = ""
    learning_points: str = ""
    needs: str = Field("", description="What the worker needs to do this work well")
    tone: str = Field(..., description="Tone of the worker's reflection: positive, critical or mixed")
    share_consent: bool = Field(
        False, description="The worker agrees to share the reflection, de-identified, in the stories"
    )
    reflection_themes: list[int] = Field(
        [], description="Theme ids; at least one when the reflection is shared"
    )


class FollowUpIn(Schema):
    back_in_trouble: bool
    kept_home: bool | None = None
    kept_job: bool | None = None
    notes: str = ""
    done_on: datetime.date | None = None


class CaseFilters(Schema):
    q: str = Field("", max_length=MAX_SEARCH, description="Household name (prefix) or case number.")
    status: Status | None = None
    domain: int | None = Field(None, ge=1, le=max(LifeDomain.values), description="A life domain.")
    agency: int | None = Field(None, ge=1, le=max(Agency.values), description="An agency.")
    worker: int | None = Field(None, ge=1, le=MAX_ID, description="The lead worker's user id.")
    overdue: bool = False
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(queries.PER_PAGE, ge=1, le=100)


class FollowUpFilters(Schema):
    team: bool = Field(False, description="The whole team's follow-ups instead of your own cases'.")
    page: int = Field(1, ge=1, le=MAX_PAGE)


# --- helpers ------------------------------------------------------------------------------------------


def _case(request, case_id: int, purpose: str) -> Case:
    case = tenancy.get_for_user_or_404(
        queries.visible_cases(request.user).select_related("household"), request.user, pk=case_id
    )
    queries.log_read(
        request.user,
        case,
        household_id=case.household_id,
        municipality_id=case.municipality_id,
        purpose=f"api {purpose}",
        request=request,
    )
    return case


def _household(request, household_id: int, purpose: str) -> Household:
    household = tenancy.get_for_user_or_404(
        queries.households_for(request.user), request.user, pk=household_id
    )
    queries.log_read(
        request.user,
        household,
        household_id=household.pk,
        municipality_id=household.municipality_id,
        purpose=f"api {purpose}",
        request=request,
    )
    return household


def _reload(case: Case) -> Case:
    return Case.objects.select_related("household").get(pk=case.pk)


# --- households and persons ---------------------------------------------------------------------------


@router.post("/households", response={201: HouseholdOut}, summary="Register a household and its persons")
def create_household(request, payload: HouseholdIn):
    team_ids = tenancy.team_ids(request.user)
    team_id = payload.team_id or (next(iter(team_ids)) if len(team_ids) == 1 else None)
    team = get_object_or_404(Team, pk=team_id if team_id in team_ids else None)
    household = services.create_household(
        by=request.user, team=team, name=payload.name, persons=[p.model_dump() for p in payload.persons]
    )
    return Reply(201, household)


@router.get("/households/{household_id}", response=HouseholdOut, summary="One household with its persons")
def get_household(request, household_id: int):
    return _household(request, household_id, "household")


@router.post("/households/{household_id}/persons", response={201: PersonOut}, summary="Add a person")
def add_person(request, household_id: int, payload: PersonIn):
    household = _household(request, household_id, "add person")
    return Reply(201, services.add_person(household, by=request.user, **payload.model_dump()))


@router.get("/persons/{person_id}", response=PersonDetailOut, summary="One person, with the full BSN")
def get_person(request, person_id: int):
    person: Person = tenancy.get_for_user_or_404(
        queries.persons_for(request.user).select_related("household"), request.user, pk=person_id
    )
    queries.log_read(
        request.user,
        person,
        household_id=person.household_id,
        municipality_id=person.household.municipality_id,
        purpose="api person (BSN shown)",
        request=request,
    )
    return person


# --- cases --------------------------------------------------------------------------------------------


@router.get("/cases", response=CasePage, summary="Your team's cases: search, filter, paginated")
def list_cases(request, filters: Query[CaseFilters]):
    criteria = queries.clean_filters(
        queries.CaseFilter(
            q=filters.q,
            status=filters.status or "",
            domain=filters.domain,
            agency=filters.agency,
            worker=filters.worker,
            overdue=filters.overdue,
        )
    )
    items, has_next = queries.page_of(
        queries.search_cases(request.user, criteria), filters.page, filters.per_page
    )
    queries.log_list_read(request.user, items, purpose="api case list", request=request)
    return {"items": items, "page": filters.page, "has_next": has_next}


@router.post("/cases", response={201: CaseOut}, summary="Open a case for a household (intake)")
def open_case(request, payload: CaseIn):
    household = _household(request, payload.household_id, "open case")
    case = services.open_case(household, by=request.user, **payload.model_dump(exclude={"household_id"}))
    return Reply(201, _reload(case))


@router.get("/cases/{case_id}", response=CaseOut, summary="One case with household, closing and follow-ups")
def get_case(request, case_id: int):
    return _case(request, case_id, "case detail")


@router.put("/cases/{case_id}/situation", response=CaseOut, summary="The vastloper, domains, agencies, goal")
def update_situation(request, case_id: int, payload: Situation):
    case = _case(request, case_id, "update situation")
    return _reload(services.update_situation(case, by=request.user, **payload.model_dump()))


@router.post(
    "/cases/{case_id}/status", response=CaseOut, summary="Move one step forward, or back with a reason"
)
def move_case(request, case_id: int, payload: MoveIn):
    case = _case(request, case_id, "move case")
    return _reload(services.move_case(case, by=request.user, to=payload.to, reason=payload.reason))


@router.get("/cases/{case_id}/notes", response=list[NoteOut], summary="The timeline, newest first")
def list_notes(request, case_id: int):
    case = _case(request, case_id, "notes")
    return list(case.notes.prefetch_related("revisions"))


@router.post("/cases/{case_id}/notes", response={201: NoteOut}, summary="Add a note")
def add_note(request, case_id: int, payload: NoteIn):
    case = _case(request, case_id, "add note")
    return Reply(201, services.add_note(case, by=request.user, text=payload.text))


@router.put("/cases/{case_id}/notes/{note_id}", response=NoteOut, summary="Edit a note; the old text is kept")
def edit_note(request, case_id: int, note_id: int, payload: NoteIn):
    case = _case(request, case_id, "edit note")
    note: Note = tenancy.get_for_user_or_404(
        queries.notes_for(request.user).filter(case=case), request.user, pk=note_id
    )
    return services.edit_note(note, by=request.user, text=payload.text)


@router.get("/cases/{case_id}/time", response=list[TimeOut], summary="Time registered on the case")
def list_time(request, case_id: int):
    return list(_case(request, case_id, "time").time_entries.all())


@router.post("/cases/{case_id}/time", response={201: TimeOut}, summary="Register hours")
def register_time(request, case_id: int, payload: TimeIn):
    case = _case(request, case_id, "register time")
    return Reply(201, services.register_time(case, by=request.user, **payload.model_dump()))


@router.get("/cases/{case_id}/scores", response=list[ScoreOut], summary="Life-domain scores per moment")
def list_scores(request, case_id: int):
    return list(_case(request, case_id, "scores").scores.order_by("moment", "domain"))


@router.put("/cases/{case_id}/scores", response=list[ScoreOut], summary="Set the scores of one moment")
def record_scores(request, case_id: int, payload: ScoresIn):
    case = _case(request, case_id, "record scores")
    return services.record_scores(case, by=request.user, moment=payload.moment, scores=payload.scores)


@router.get("/cases/{case_id}/mdt", response=list[MdtOut], summary="MDT consultations")
def list_mdt(request, case_id: int):
    return list(_case(request, case_id, "MDT").mdt_consultations.prefetch_related("participants"))


@router.post("/cases/{case_id}/mdt", response={201: MdtOut}, summary="Record an MDT consultation")
def record_mdt(request, case_id: int, payload: MdtIn):
    case = _case(request, case_id, "record MDT")
    data = payload.model_dump()
    return Reply(201, services.record_mdt(case, by=request.user, **data))


@router.post(
    "/cases/{case_id}/close", response=CaseOut, summary="Close: outcome, client feedback, reflection"
)
def close_case(request, case_id: int, payload: CloseIn):
    case = _case(request, case_id, "close case")
    d = payload.model_dump()
    services.close_case(
        case,
        by=request.user,
        outcome={k: d[k] for k in ("goal_reached", *services.OUTCOME_TEXTS)},
        feedback={k: d[k] for k in ("grade", "quote", "quote_consent", "quote_tone", "quote_themes")},
        reflection={
            "themes": d["reflection_themes"],
            **{k: d[k] for k in ("tone", "share_consent", *services.REFLECTION_TEXTS)},
        },
    )
    return _reload(case)


class FollowUpPage(Schema):
    items: list[FollowUpOut]
    page: int
    has_next: bool


@router.get(
    "/followups", response=FollowUpPage, summary="Your open follow-ups, due within a month, paginated"
)
def due_followups(request, filters: Query[FollowUpFilters]):
    page = filters.page
    items, has_next = queries.page_of(queries.due_followups(request.user, all_team=filters.team), page)
    queries.log_list_read(
        request.user, [i.case for i in items], purpose="api follow-up list", request=request
    )
    return {"items": items, "page": page, "has_next": has_next}


@router.post("/followups/{followup_id}", response=FollowUpOut, summary="Record a follow-up at 3 or 12 months")
def record_followup(request, followup_id: int, payload: FollowUpIn):
    item: FollowUp = tenancy.get_for_user_or_404(
        queries.followups_for(request.user), request.user, pk=followup_id
    )
    _case(request, item.case_id, "record follow-up")
    return services.record_followup(item, by=request.user, **payload.model_dump())
