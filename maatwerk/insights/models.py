"""What the dashboards read: one flat row per case (`CaseFact`) and the same measures summed per cohort
(`CaseCube`), both rebuilt from the case data by the `refresh_insights` job (`insights.refresh`).

Why precomputed: a dashboard sums a dozen figures over every case of a municipality or of the nation. Live,
over the case tables and their follow-ups, time entries, spends and business cases, that is seconds at a
million cases; over `CaseCube` (a few tens of thousands of rows) it is milliseconds. The figures are as old
as the last refresh, and the page says so.

Both tables have the same dimension and measure columns (`Measures`): a fact row is a cube row of one case
(`n = 1`), so every panel is one query that sums measures and runs on either table. A case has several
life domains and agencies, so the cube is kept once more per domain (`CaseCubeDomain`) and per agency
(`CaseCubeAgency`) for those filters; with both filters at once the panels read `CaseFact`.

A fact holds no name, BSN, address or free text: ids, months, codes and numbers only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2, "default": 0}
HOURS = {"max_digits": 12, "decimal_places": 2, "default": 0}


class Measures(models.Model):
    # Dimensions. Months are the first day of the month.
    municipality_id = models.IntegerField()
    team_id = models.IntegerField()
    opened_month = models.DateField()
    closed_month = models.DateField(null=True)
    status = models.CharField(max_length=12)
    # The kind of maatwerk (`SpendRequest.kind`) of the case's largest approved or paid spend; "" = none.
    kind = models.CharField(max_length=20, blank=True)

    n = models.IntegerField(default=1)
    # Closed cases (closed or aftercare): days from opening to closing, summed and squared.
    closed_n = models.IntegerField(default=0)
    duration_days = models.BigIntegerField(default=0)
    duration_days_sq = models.FloatField(default=0)
    duration_days_cu = models.FloatField(default=0)

    # Approved or paid spends (not cancelled or rejected) by channel.
    spend_maatwerk = models.DecimalField(**MONEY)
    spend_bijzonder = models.DecimalField(**MONEY)
    # Cases with such a spend, per channel.
    spend_maatwerk_n = models.IntegerField(default=0)
    spend_bijzonder_n = models.IntegerField(default=0)

    # Hours booked on the case, in all and by activity (`TimeEntry.Activity`).
    hours = models.DecimalField(**HOURS)
    hours_household = models.DecimalField(**HOURS)
    hours_agencies = models.DecimalField(**HOURS)
    hours_mdt = models.DecimalField(**HOURS)
    hours_administration = models.DecimalField(**HOURS)
    hours_travel = models.DecimalField(**HOURS)
    hours_other = models.DecimalField(**HOURS)

    # The net of the case's latest business-case version, as moments over households: the household's
    # expected net m (the mean of its draws), v its variance within (over the draws), t the third central
    # moment within. bc_n counts households with a business case; net_s1..3 are sums of m, m², m³;
    # net_v = Σv, net_mv = Σm·v, net_t = Σt; chance = Σ(share of the household's draws above zero).
    bc_n = models.IntegerField(default=0)
    net_s1 = models.FloatField(default=0)
    net_s2 = models.FloatField(default=0)
    net_s3 = models.FloatField(default=0)
    net_v = models.FloatField(default=0)
    net_mv = models.FloatField(default=0)
    net_t = models.FloatField(default=0)
    chance = models.FloatField(default=0)
    # The same power sums over the households whose expected net m is above zero (the optimism-bias
    # haircut lowers savings only, so the extrapolation needs them apart from the losses).
    net_pos_n = models.IntegerField(default=0)
    net_pos_s1 = models.FloatField(default=0)
    net_pos_s2 = models.FloatField(default=0)
    net_pos_s3 = models.FloatField(default=0)
    avoided = models.FloatField(default=0)
    investment = models.FloatField(default=0)
    # The weakest confidence grade (A best .. D worst) among the catalogue items the business case uses:
    # how many households' business cases rest on an item of at worst that grade.
    grade_a = models.IntegerField(default=0)
    grade_b = models.IntegerField(default=0)
    grade_c = models.IntegerField(default=0)
    grade_d = models.IntegerField(default=0)

    # Follow-ups at 3 and 12 months, done ones only. held: not back in trouble, and home and job kept where
    # recorded (the business case's key assumption). *_held_net / *_failed_net: Σ expected net of the
    # households with a business case whose assumption held / did not; *_held_bc / *_failed_bc: their count.
    # *_spend_*: the same done / back-in-trouble counts for households with a maatwerk spend.
    fu3_done = models.IntegerField(default=0)
    fu3_trouble = models.IntegerField(default=0)
    fu3_held = models.IntegerField(default=0)
    fu3_held_bc = models.IntegerField(default=0)
    fu3_held_net = models.FloatField(default=0)
    fu3_failed_bc = models.IntegerField(default=0)
    fu3_failed_net = models.FloatField(default=0)
    fu3_held_net_sq = models.FloatField(default=0)
    fu3_failed_net_sq = models.FloatField(default=0)
    fu12_done = models.IntegerField(default=0)
    fu12_trouble = models.IntegerField(default=0)
    fu12_held = models.IntegerField(default=0)
    fu12_held_bc = models.IntegerField(default=0)
    fu12_held_net = models.FloatField(default=0)
    fu12_failed_bc = models.IntegerField(default=0)
    fu12_failed_net = models.FloatField(default=0)
    fu12_held_net_sq = models.FloatField(default=0)
    fu12_failed_net_sq = models.FloatField(default=0)

    # Client grades (Feedback) 1..10; a closed case without feedback is a respondent who gave none.
    grade_1 = models.IntegerField(default=0)
    grade_2 = models.IntegerField(default=0)
    grade_3 = models.IntegerField(default=0)
    grade_4 = models.IntegerField(default=0)
    grade_5 = models.IntegerField(default=0)
    grade_6 = models.IntegerField(default=0)
    grade_7 = models.IntegerField(default=0)
    grade_8 = models.IntegerField(default=0)
    grade_9 = models.IntegerField(default=0)
    grade_10 = models.IntegerField(default=0)
    no_grade = models.IntegerField(default=0)

    # A case counts once in every life domain (`cases.models.LifeDomain`, 1..13) and agency
    # (`cases.models.Agency`, 1..11) it involves: domain_k = 1 when bit k - 1 of Case.domains is set.
    domain_1 = models.IntegerField(default=0)
    domain_2 = models.IntegerField(default=0)
    domain_3 = models.IntegerField(default=0)
    domain_4 = models.IntegerField(default=0)
    domain_5 = models.IntegerField(default=0)
    domain_6 = models.IntegerField(default=0)
    domain_7 = models.IntegerField(default=0)
    domain_8 = models.IntegerField(default=0)
    domain_9 = models.IntegerField(default=0)
    domain_10 = models.IntegerField(default=0)
    domain_11 = models.IntegerField(default=0)
    domain_12 = models.IntegerField(default=0)
    domain_13 = models.IntegerField(default=0)
    agency_1 = models.IntegerField(default=0)
    agency_2 = models.IntegerField(default=0)
    agency_3 = models.IntegerField(default=0)
    agency_4 = models.IntegerField(default=0)
    agency_5 = models.IntegerField(default=0)
    agency_6 = models.IntegerField(default=0)
    agency_7 = models.IntegerField(default=0)
    agency_8 = models.IntegerField(default=0)
    agency_9 = models.IntegerField(default=0)
    agency_10 = models.IntegerField(default=0)
    agency_11 = models.IntegerField(default=0)

    class Meta:
        abstract = True


# The cohort a cube row sums over; every other concrete column of `Measures` is a measure.
DIMENSIONS = ("municipality_id", "team_id", "opened_month", "closed_month", "status", "kind")
# local_fields: known when the class is made (get_fields() would need the app registry).
MEASURE_FIELDS = [f for f in Measures._meta.local_fields if not f.primary_key and f.name not in DIMENSIONS]
MEASURE_NAMES = [f.name for f in MEASURE_FIELDS]


class CaseFact(Measures):
    case_id = models.IntegerField(unique=True)
    lead_worker_id = models.IntegerField(null=True)
    domains = models.PositiveIntegerField(default=0)
    agencies = models.PositiveIntegerField(default=0)
    # The household's net draws (a few dozen equally likely values: quantiles of the business case's Monte
    # Carlo draws) for the bootstrap when few households are selected; [] without a business case.
    net_draws = models.JSONField(default=list)

    class Meta:
        indexes = [
            models.Index(fields=["municipality_id", "opened_month"], name="fact_municipality_month"),
            models.Index(fields=["team_id", "opened_month"], name="fact_team_month"),
            # "What yields most?" reads the households of the small kinds of maatwerk only: by kind first.
            models.Index(fields=["kind", "municipality_id", "opened_month"], name="fact_kind_municipality"),
        ]

    def __str__(self) -> str:
        return f"fact of case {self.case_id}"


class CaseCube(Measures):
    class Meta:
        indexes = [models.Index(fields=["municipality_id", "team_id"], name="cube_municipality_team")]

    def __str__(self) -> str:
        return f"cube row team {self.team_id} {self.opened_month:%Y-%m} {self.status}"


class CaseCubeDomain(Measures):
    """The cube once more per life domain: a case counts in the row of every domain it involves, so a
    life-domain filter reads this instead of a million facts."""

    domain = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["domain", "municipality_id"], name="cubedomain_domain_municipality")]

    def __str__(self) -> str:
        return f"cube row domain {self.domain} team {self.team_id} {self.opened_month:%Y-%m}"


class CaseCubeAgency(Measures):
    """The cube once more per agency, as CaseCubeDomain is per life domain."""

    agency = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["agency", "municipality_id"], name="cubeagency_agency_municipality")]

    def __str__(self) -> str:
        return f"cube row agency {self.agency} team {self.team_id} {self.opened_month:%Y-%m}"


class BudgetMonth(models.Model):
    """Per budget and month: what was allocated, committed (approved, net of releases) and paid."""

    budget_id = models.IntegerField()
    municipality_id = models.IntegerField()
    team_id = models.IntegerField(null=True)
    channel = models.CharField(max_length=20)
    month = models.DateField()
    allocated = models.DecimalField(**MONEY)
    committed = models.DecimalField(**MONEY)
    paid = models.DecimalField(**MONEY)
    # Distinct spends booked in the month (commitments or payments): a month of fewer than ten is merged
    # with the next for the policy and programme roles.
    spends = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["municipality_id", "month"], name="budgetmonth_municipality")]

    def __str__(self) -> str:
        return f"budget {self.budget_id} {self.month:%Y-%m}"


class Refresh(models.Model):
    """One run of the refresh job: when it started and ended, and how many cases it read."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True)
    cases = models.IntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"refresh {self.started_at:%Y-%m-%d %H:%M}"


class StoryReport(models.Model):
    """A report for the reflection meeting: the stories a panel selected, each with its reason (the Most
    Significant Change method), built in one scope of the stories page (`level` and the filters below).

    The scope is also who sees the report: at team level the team's leads (`team` is set), at municipal
    level policy and the researchers of `municipality` (set), at national level the programme. The
    municipality and team are therefore both the stories filter and the report's owner; a report is never
    wider than its creator's audience. Group, tone and theme are not part of the scope: the selection is
    weighed against everybody heard in it.

    The selected voices are referenced, never copied: the report reads them through
    `Voice.objects.shared()` each time, so a withdrawn consent takes a story out of every report at once.
    """

    title = models.CharField(_("title"), max_length=200)
    level = models.CharField(_("level"), max_length=16)
    period_from = models.DateField(_("from (month)"), null=True, blank=True)
    period_to = models.DateField(_("up to and including (month)"), null=True, blank=True)
    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Who read the voice-balance flags and let the report go anyway, and why. `acknowledged_flags` holds
    # the flags read (their codes, "missing:client"): a new kind of flag (after a change of the
    # selection or a withdrawn consent) needs to be read again before the report can be exported.
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("warnings read at"), null=True, blank=True)
    acknowledged_note = models.TextField(_("note"), blank=True)
    acknowledged_flags = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("story report")
        verbose_name_plural = _("story reports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class StorySelection(models.Model):
    """One story of a report, with the panel's reason for choosing it."""

    report = models.ForeignKey(StoryReport, on_delete=models.CASCADE, related_name="selections")
    voice = models.ForeignKey("cases.Voice", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason for the choice"))
    selected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    selected_at = models.DateTimeField(_("selected at"), auto_now_add=True)

    class Meta:
        verbose_name = _("selected story")
        verbose_name_plural = _("selected stories")
        ordering = ["selected_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "voice"], name="storyselection_once_per_report")
        ]

    def __str__(self) -> str:
        return f"report {self.report_id}: voice {self.voice_id}"
