"""Voices: what clients, workers, team leads, policy and partner agencies said, as a corpus that leaves the
team only de-identified and only with consent.

A `Voice` is one quote or one part of a worker's reflection (a doubt, a dilemma, a learning point, a need).
It comes from closing a case (the client's quote, the worker's reflection) or from a `Conversation` that a
team lead or policy user recorded (an interview, a reflection meeting), which also says how many people of
each respondent group took part: the respondents the voice-balance indicator weighs the quotes against.

`text` is what was said, as recorded; it stays with the team, like the case file. `shared_text` is what
everybody else sees: the anonymiser's version (`maatwerk.lib.anonymize`, with the household's own names
passed to it), checked and possibly corrected by the one who recorded it, then passed through the
anonymiser once more. The anonymiser runs in the task worker (it needs ~1 GB and ~2 s to load, too much
for a web process), so a voice moves through `State`: PENDING (the worker will de-identify it), REVIEW
(the recorder checks the suggestion), SHARED. Only SHARED voices without a withdrawal are ever shown
outside the team (`Voice.objects.shared()`); withdrawing consent takes a voice out of every view at once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maatwerk.accounts.models import Municipality, Team


class Tone(models.TextChoices):
    POSITIVE = "positive", _("positive")
    CRITICAL = "critical", _("critical")
    MIXED = "mixed", _("mixed")


class RespondentGroup(models.TextChoices):
    CLIENT = "client", _("clients (households)")
    WORKER = "worker", _("social workers")
    TEAM_LEAD = "team_lead", _("team leads")
    POLICY = "policy", _("project group and policy")
    PARTNER = "partner", _("partner agencies")


class Theme(models.Model):
    """A theme of the small list shared by every municipality (so that stories can be compared); the
    functional administrator keeps it in the admin site. A theme is deactivated, never deleted, once used."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    name_en = models.CharField(_("name in English"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # A `barriers.BarrierType` code (cases sits below barriers, so the code is kept, not the choices): where
    # a knelpunt of this theme is a rule, the learning points link to the barrier register of that type.
    barrier_type = models.CharField(_("barrier type"), max_length=32, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    """An interview or meeting at which voices were recorded, with who took part (counts per group, never
    names): the respondents heard, quoted or not."""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("interview")
        REFLECTION_MEETING = "reflection", _("reflection meeting")
        FOCUS_GROUP = "focus_group", _("focus group")
        EVALUATION = "evaluation", _("evaluation meeting")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    # None: a conversation at municipal level (recorded by policy), not of one team.
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    kind = models.CharField(_("kind of conversation"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    context = models.TextField(_("context"), help_text=_("What the conversation was about; no names."))
    clients = models.PositiveIntegerField(_("clients (households)"), default=0)
    workers = models.PositiveIntegerField(_("social workers"), default=0)
    team_leads = models.PositiveIntegerField(_("team leads"), default=0)
    policy = models.PositiveIntegerField(_("project group and policy"), default=0)
    partners = models.PositiveIntegerField(_("partner agencies"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    # The participant count of each respondent group, by the group's code.
    GROUP_FIELDS = {
        RespondentGroup.CLIENT: "clients",
        RespondentGroup.WORKER: "workers",
        RespondentGroup.TEAM_LEAD: "team_leads",
        RespondentGroup.POLICY: "policy",
        RespondentGroup.PARTNER: "partners",
    }

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [models.Index(fields=["municipality", "held_on"], name="conversation_municipality_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"

    def participants(self, group: str) -> int:
        return getattr(self, self.GROUP_FIELDS[group])


class VoiceQuerySet(models.QuerySet):
    def shared(self):
        """The voices that may be shown outside their team: de-identified, checked, consent not withdrawn."""
        return self.filter(state=Voice.State.SHARED, withdrawn_at__isnull=True)


class Voice(models.Model):
    class Kind(models.TextChoices):
        QUOTE = "quote", _("quote")
        DOUBT = "doubt", _("doubt")
        DILEMMA = "dilemma", _("dilemma")
        LEARNING_POINT = "learning_point", _("learning point")
        NEED = "need", _("need")

    class State(models.TextChoices):
        PENDING = "pending", _("being de-identified")
        REVIEW = "review", _("to be checked")
        SHARED = "shared", _("shared")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="voices"
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, null=True, blank=True, related_name="voices"
    )
    group = models.CharField(_("respondent group"), max_length=16, choices=RespondentGroup.choices)
    role = models.CharField(
        _("role"),
        max_length=80,
        blank=True,
        help_text=_("For example 'debt counsellor at the CAK'; never a name."),
    )
    # Who said it, as a key that is never shown: "household:12", "user:5", "conversation:3:client:2". The
    # indicator counts distinct voices with it (two quotes of one person are one voice).
    respondent = models.CharField(max_length=64, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.QUOTE)
    text = models.TextField(_("text as said"))
    # The recorder's correction of the suggestion, waiting for the anonymiser's last pass.
    draft_text = models.TextField(blank=True, editable=False)
    shared_text = models.TextField(_("text as others see it"), blank=True)
    tone = models.CharField(_("tone"), max_length=8, choices=Tone.choices)
    themes = models.ManyToManyField(Theme, related_name="voices", verbose_name=_("themes"))
    said_on = models.DateField(_("date"))
    consent = models.BooleanField(_("consent to use"), default=False)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    withdrawn_at = models.DateTimeField(_("consent withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = VoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("voice")
        verbose_name_plural = _("voices")
        ordering = ["-said_on", "-id"]
        indexes = [
            models.Index(fields=["municipality", "state", "said_on"], name="voice_municipality_state"),
            models.Index(fields=["team", "state", "said_on"], name="voice_team_state"),
        ]
        constraints = [
            # Nothing leaves the team without consent (the task that shares checks it, and so does this).
            models.CheckConstraint(
                condition=~Q(state="shared") | Q(consent=True), name="voice_shared_needs_consent"
            )
        ]

    def __str__(self) -> str:
        return f"voice {self.pk} ({self.group}, {self.tone})"
