"""Case files: households, persons and the case (casus) with its timeline, time, scores, MDT, closing and
follow-up. Rows change only through `maatwerk.cases.services`.

Tenancy: Household and Case carry `municipality` and `team` (denormalised, so every list is one indexed
filter); every other row hangs off a case or household and is scoped through it.

Life domains and agencies are multi-valued picklists stored as bitmask integers on Case (`domains`,
`agencies`), not as a join table or a JSON list. Why: the case list is always scoped to one team and
ordered by last activity, so the database walks the composite index (team, -last_activity_at, -id) and
tests the bit on each row it visits (`domains & 8 != 0`); for a page of 25 with a domain that one case in
ten has, that is a few hundred index entries, without a join or a DISTINCT, on SQLite and PostgreSQL alike.
A JSON list would need a per-database operator (and cannot be indexed on SQLite); a through table would
cost a join plus DISTINCT on every filtered page and a few hundred thousand extra rows at 100,000 cases.
The picklists are small and fixed (13 domains, 11 agencies), so they fit one integer; `lib.from_mask`
turns them back into lists for display and the API.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.models import AppendOnlyModel, Municipality, Team

from .. import lib
from .voices import Conversation, RespondentGroup, Theme, Tone, Voice  # noqa: F401 (re-exported)


class LifeDomain(models.IntegerChoices):
    # The 13 domains of the Zelfredzaamheid-Matrix; names only (the criteria texts are copyrighted).
    FINANCES = 1, _("finances")
    WORK_EDUCATION = 2, _("work and education")
    DAYTIME = 3, _("daytime activities")
    HOUSING = 4, _("housing")
    DOMESTIC_RELATIONS = 5, _("domestic relations")
    MENTAL_HEALTH = 6, _("mental health")
    PHYSICAL_HEALTH = 7, _("physical health")
    SUBSTANCE_USE = 8, _("substance use")
    BASIC_ADL = 9, _("basic ADL")
    INSTRUMENTAL_ADL = 10, _("instrumental ADL")
    SOCIAL_NETWORK = 11, _("social network")
    PARTICIPATION = 12, _("social participation")
    JUSTICE = 13, _("justice")


class Agency(models.IntegerChoices):
    TAX = 1, _("Belastingdienst/Toeslagen")
    CJIB = 2, "CJIB"
    CAK = 3, "CAK"
    SVB = 4, "SVB"
    UWV = 5, "UWV"
    DUO = 6, "DUO"
    HOUSING_CORPORATION = 7, _("housing corporation")
    HEALTH_INSURER = 8, _("health insurer")
    ENERGY_SUPPLIER = 9, _("energy supplier")
    CREDITOR = 10, _("creditor")
    OTHER = 11, _("other")


def agency_labels(agencies: list[Agency], other_agency: str) -> str:
    """The agencies as one line: the named ones, then the other agency by its own name.

    The other agency is one more item of the list, never a bracket behind the last named agency (which read
    as if a pension fund belonged to UWV); "other" stands in only when no name was written down.
    """
    labels = [str(a.label) for a in agencies if a != Agency.OTHER]
    if other_agency:
        labels.append(other_agency)
    elif Agency.OTHER in agencies:
        labels.append(str(Agency.OTHER.label))
    return ", ".join(labels)


class Status(models.TextChoices):
    INTAKE = "intake", _("intake")
    ANALYSIS = "analysis", _("analysis")
    PLAN = "plan", _("plan")
    EXECUTION = "execution", _("execution")
    CLOSED = "closed", _("closed")
    AFTERCARE = "aftercare", _("aftercare")


# The one order of the trajectory; services move a case one step forward, or back with a reason.
STATUS_ORDER = [
    Status.INTAKE,
    Status.ANALYSIS,
    Status.PLAN,
    Status.EXECUTION,
    Status.CLOSED,
    Status.AFTERCARE,
]


class Household(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="households", verbose_name=_("team")
    )
    name = models.CharField(_("household name"), max_length=120, help_text=_("Usually the family name."))
    # Lower-cased name for prefix search with a plain index (works the same on SQLite and PostgreSQL).
    search_key = models.CharField(max_length=120, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [models.Index(fields=["team", "search_key"], name="household_team_search")]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    class HouseholdRole(models.TextChoices):
        APPLICANT = "applicant", _("applicant")
        PARTNER = "partner", _("partner")
        CHILD = "child", _("child")
        OTHER_ADULT = "other_adult", _("other adult")
        OTHER = "other", _("other")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="persons", verbose_name=_("household")
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=120)
    bsn = models.CharField(
        _("BSN"), max_length=9, blank=True, help_text=_("Optional; checked with the 11-check.")
    )
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    role = models.CharField(_("role in the household"), max_length=20, choices=HouseholdRole.choices)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["household", "id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_bsn(self) -> str:
        return lib.mask_bsn(self.bsn)


class PersonRevision(AppendOnlyModel):
    """A correction of a person's data: the values before and after, who made it, when and why.

    Append-only: the history of a person's data is evidence of what the file said when, so a later
    correction adds a row and never rewrites one. `before` and `after` hold only the fields changed.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="revisions")
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"))
    reason = models.TextField(_("reason for the correction"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("corrected at"), default=timezone.now)

    class Meta:
        verbose_name = _("correction of a person")
        verbose_name_plural = _("corrections of persons")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"correction {self.pk} of person {self.person_id}"


class Case(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases", verbose_name=_("team"))
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="cases", verbose_name=_("household")
    )
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead worker"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.INTAKE)
    vastloper = models.TextField(_("where the system blocks"), blank=True)
    domains = models.PositiveIntegerField(_("life domains"), default=0)
    agencies = models.PositiveIntegerField(_("agencies involved"), default=0)
    other_agency = models.CharField(_("other agency"), max_length=120, blank=True)
    goal = models.TextField(_("goal of the household"), blank=True)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    # The earliest follow-up not yet recorded (denormalised from FollowUp for the overdue filter).
    next_followup_due = models.DateField(_("next follow-up due"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The list's default order and each of its common filters start with the team.
            models.Index(fields=["team", "-last_activity_at", "-id"], name="case_team_activity"),
            models.Index(fields=["team", "status", "-last_activity_at", "-id"], name="case_team_status"),
            models.Index(fields=["team", "lead_worker", "-last_activity_at", "-id"], name="case_team_worker"),
            models.Index(fields=["team", "next_followup_due"], name="case_team_followup"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"C-{self.pk:06d}" if self.pk else "C-new"

    @property
    def domain_list(self) -> list[LifeDomain]:
        return [LifeDomain(v) for v in lib.from_mask(self.domains) if v in LifeDomain.values]

    @property
    def agency_list(self) -> list[Agency]:
        return [Agency(v) for v in lib.from_mask(self.agencies) if v in Agency.values]

    @property
    def agency_labels(self) -> str:
        return agency_labels(self.agency_list, self.other_agency)

    @property
    def status_index(self) -> int:
        return STATUS_ORDER.index(Status(self.status))


class StatusChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "-created_at"], name="note_case_created")]

    def __str__(self) -> str:
        return f"note {self.pk} on case {self.case_id}"


class NoteRevision(models.Model):
    """The text a note had before an edit, with who replaced it and when."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField()
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"revision {self.pk} of note {self.note_id}"


class TimeEntry(models.Model):
    class Activity(models.TextChoices):
        CONTACT_HOUSEHOLD = "household", _("contact with the household")
        CONTACT_AGENCIES = "agencies", _("contact with agencies")
        MDT = "mdt", _("MDT consultation")
        ADMINISTRATION = "administration", _("administration")
        TRAVEL = "travel", _("travel")
        OTHER = "other", _("other")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="time_entries", verbose_name=_("case")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("worker")
    )
    day = models.DateField(_("date"), default=timezone.localdate)
    hours = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["worker", "day"], name="time_worker_day")]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="time_hours_0_24"),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h on case {self.case_id}"


class Moment(models.TextChoices):
    INTAKE = "intake", _("intake")
    CLOSE = "close", _("close")
    FOLLOWUP_3 = "followup_3", _("follow-up after 3 months")
    FOLLOWUP_12 = "followup_12", _("follow-up after 12 months")


class DomainScore(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="scores")
    moment = models.CharField(_("moment"), max_length=12, choices=Moment.choices)
    domain = models.PositiveSmallIntegerField(_("life domain"), choices=LifeDomain.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("domain score")
        verbose_name_plural = _("domain scores")
        constraints = [
            models.UniqueConstraint(fields=["case", "moment", "domain"], name="score_unique_moment_domain"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.moment} {self.domain}: {self.score}"


class MdtConsultation(models.Model):
    """A multidisciplinary consultation (MDO/MDT) the worker asked for."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mdt_consultations")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question for the consultation"))
    held_on = models.DateField(_("date"))
    advice = models.TextField(_("advice"), blank=True)
    decision = models.TextField(_("decision"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("MDT consultation")
        verbose_name_plural = _("MDT consultations")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"MDT {self.held_on} case {self.case_id}"


class MdtParticipant(models.Model):
    consultation = models.ForeignKey(MdtConsultation, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(_("role"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=120)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.role} ({self.organisation})"


class Outcome(models.Model):
    class GoalReached(models.TextChoices):
        YES = "yes", _("yes")
        PARTLY = "partly", _("partly")
        NO = "no", _("no")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="outcome")
    goal_reached = models.CharField(_("goal reached"), max_length=8, choices=GoalReached.choices)
    housing_change = models.TextField(_("what changed in housing"), blank=True)
    income_change = models.TextField(_("what changed in income"), blank=True)
    work_change = models.TextField(_("what changed in work"), blank=True)
    debts_change = models.TextField(_("what changed in debts"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"outcome case {self.case_id}: {self.goal_reached}"


class Feedback(models.Model):
    """The client's own judgement; the quote is only used elsewhere when consent is given."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="feedback")
    grade = models.PositiveSmallIntegerField(
        _("client grade"), validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    quote = models.TextField(_("client quote"), blank=True)
    quote_consent = models.BooleanField(_("client consents to using the quote"), default=False)
    tone = models.CharField(_("tone of the quote"), max_length=8, choices=Tone.choices, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(grade__gte=1) & Q(grade__lte=10), name="feedback_grade_1_10")
        ]

    def __str__(self) -> str:
        return f"feedback case {self.case_id}: {self.grade}"


class Reflection(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="reflection")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    doubts = models.TextField(_("doubts"), blank=True)
    dilemmas = models.TextField(_("dilemmas"), blank=True)
    learning_points = models.TextField(_("learning points"), blank=True)
    needs = models.TextField(_("what you need"), blank=True)
    tone = models.CharField(_("tone"), max_length=8, choices=Tone.choices)
    # The worker's consent to share the reflection, de-identified, in the stories and the learning report.
    share_consent = models.BooleanField(_("share my reflection without my name"), default=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"reflection case {self.case_id}: {self.tone}"


# A follow-up asks how the household is doing three and twelve months after closing; a conversation two
# days after closing says nothing about that. It can be recorded from two weeks before its due date.
FOLLOWUP_WINDOW = datetime.timedelta(days=14)


class FollowUp(models.Model):
    class Kind(models.TextChoices):
        THREE_MONTHS = "3m", _("after 3 months")
        TWELVE_MONTHS = "12m", _("after 12 months")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followups")
    kind = models.CharField(_("follow-up"), max_length=4, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    back_in_trouble = models.BooleanField(_("back in trouble"), null=True)
    kept_home = models.BooleanField(_("kept their home"), null=True)
    kept_job = models.BooleanField(_("kept their job"), null=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="followup_unique_kind")]

    def __str__(self) -> str:
        return f"follow-up {self.kind} case {self.case_id}"

    @property
    def opens_on(self) -> datetime.date:
        """The first day on which this follow-up can be recorded."""
        return self.due_on - FOLLOWUP_WINDOW

    @property
    def is_open(self) -> bool:
        """Whether it can be recorded today (the rule itself is checked in `services.record_followup`)."""
        return timezone.localdate() >= self.opens_on
