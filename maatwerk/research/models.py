"""Research exports: a researcher's request, each municipality's decision on its part, and the export the
task worker builds from the approved parts.

The AVG's purpose limitation is why a request states its purpose and question and why each municipality
decides for itself: a policy officer of Utrecht cannot release Eindhoven's cases. The export holds the key
of its pseudonyms (a fresh one per approved request, so that two exports cannot be joined on them); the key
never goes into a file and is wiped when the export expires.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.models import Municipality


class VariableGroup(models.TextChoices):
    """The blocks of variables a request may ask for; the core (pseudonyms, period, household band and size,
    status, life domains) is always in the file."""

    BUSINESS_CASE = "businesscase", _("business case (investment, avoided cost, net, interval)")
    SPEND = "spend", _("spend per channel")
    OUTCOME = "outcome", _("outcome and client grade")
    FOLLOWUP = "followup", _("recurrence at 3 and 12 months")
    HOURS = "hours", _("hours per activity")
    SCORES = "scores", _("life-domain scores at intake, close and follow-up")
    BARRIERS = "barriers", _("barrier types")


class ResearchRequest(models.Model):
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("researcher")
    )
    purpose = models.TextField(_("purpose"))
    question = models.TextField(_("research question"))
    # Months: the first day of the first and of the last month (inclusive) in which cases were opened.
    period_from = models.DateField(_("from (month)"))
    period_to = models.DateField(_("up to and including (month)"))
    variable_groups = models.JSONField(_("variable groups"), default=list, blank=True)
    free_text = models.BooleanField(_("de-identified quotes and notes"), default=False)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("research request")
        verbose_name_plural = _("research requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class RequestPart(models.Model):
    """One municipality's part of a request, decided by that municipality's policy role."""

    class State(models.TextChoices):
        PENDING = "pending", _("awaiting a decision")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    request = models.ForeignKey(ResearchRequest, on_delete=models.CASCADE, related_name="parts")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    state = models.CharField(_("decision"), max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("part of a research request")
        verbose_name_plural = _("parts of research requests")
        ordering = ["request", "municipality__name"]
        constraints = [
            models.UniqueConstraint(fields=["request", "municipality"], name="research_part_once"),
            models.CheckConstraint(
                condition=models.Q(state="pending") | models.Q(decided_by__isnull=False),
                name="research_part_decided_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.municipality}"


class ResearchExport(models.Model):
    """The file built for a request once every part is decided and at least one approved."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being built")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired and deleted")

    request = models.OneToOneField(ResearchRequest, on_delete=models.CASCADE, related_name="export")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    # HMAC-SHA256 key of the pseudonyms: made when the export is created, emptied when it expires.
    key = models.BinaryField(max_length=32, editable=False)
    # Which run of the task may build it: a retry or a recovery raises it, and a task of an older attempt
    # that still reaches the worker finds it changed and does nothing (no job is built twice).
    attempt = models.PositiveIntegerField(default=0)
    # The id of the task queued for `attempt` (a django-tasks result id): recovery asks the task backend
    # whether that task is still waiting or running before it queues another.
    task_id = models.CharField(max_length=64, blank=True)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    error = models.TextField(_("why it failed"), blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # Relative to settings.RESEARCH_EXPORT_DIR.
    file_name = models.CharField(max_length=200, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    manifest = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("research export")
        verbose_name_plural = _("research exports")
        ordering = ["-id"]

    # `error` of a job that failed on something other than an ExportError: the traceback goes to the log,
    # the page shows a sentence in the reader's language.
    INTERNAL_ERROR = "internal"

    def __str__(self) -> str:
        return f"{self.request} ({self.get_state_display()})"

    @property
    def error_display(self) -> str:
        if self.error == self.INTERNAL_ERROR:
            return _(
                "Something went wrong inside the export job. Try again; if it fails again, ask the "
                "functional administrator (the details are in the worker's log)."
            )
        return self.error

    # The stages the export job reports (maatwerk/research/export): the name the progress bar gives each,
    # and where on the bar it sits (from, to in %, roughly its share of a large export's time), so that the
    # bar only moves forward across stages instead of starting again at 0 with each.
    STAGES = {
        "counting": (_("counting the cases"), 0, 15),
        "planning": (_("choosing how coarse the figures must be"), 15, 20),
        "writing": (_("writing the files"), 20, 95),
        "packing": (_("packing the zip"), 95, 100),
    }

    @property
    def stage_display(self) -> str:
        return str(self.STAGES[self.stage][0]) if self.stage in self.STAGES else self.stage

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        fraction = min(1.0, self.progress_done / self.progress_total) if self.progress_total else 0.0
        _label, start, end = self.STAGES.get(self.stage, (None, 0, 100))
        return int(start + (end - start) * fraction)

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)
