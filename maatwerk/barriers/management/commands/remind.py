"""`maatwerk remind`: list escalations whose answer is due (or overdue) and e-mail the people concerned.

Rust niet: an escalation without an answer is chased. Each overdue or due escalation is sent to its owner
(who escalated), the barrier's owner and the policy staff of the barrier's municipality. With the default
console e-mail backend the messages are printed. Messages name barriers, never households.
"""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from maatwerk.accounts.models import Membership, Role
from maatwerk.barriers import privacy
from maatwerk.barriers.queries import due_escalations


def describe(escalation, today) -> str:
    barrier = escalation.barrier
    days = (today - escalation.due_date).days
    if days > 0:
        when = _("%(days)d days overdue") % {"days": days}
    else:
        when = _("due %(date)s") % {"date": escalation.due_date.isoformat()}
    return _("%(ref)s %(title)s (%(municipality)s) — %(level)s, to %(to)s, answer due %(due)s: %(when)s") % {
        "ref": barrier.reference,
        "title": barrier.title,
        "municipality": barrier.municipality.name,
        "level": escalation.get_level_display(),
        "to": escalation.to,
        "due": escalation.due_date.isoformat(),
        "when": when,
    }


class Command(BaseCommand):
    help = (
        "List barrier escalations whose answer is due or overdue, and e-mail their owners and policy staff."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=0, help="Also list what falls due within N days.")
        parser.add_argument("--no-email", action="store_true", help="Only list; send no e-mail.")

    def handle(self, *args, days: int, no_email: bool, **options):
        with override(settings.LANGUAGE_CODE):
            self._run(days=days, no_email=no_email)

    def _run(self, *, days: int, no_email: bool):
        today = timezone.localdate()
        escalations = list(due_escalations(today, within_days=days).select_related("barrier__owner"))
        # The lines go to policy too: personal data left in stored texts is masked for everyone.
        privacy.screen(None, [], escalations)
        if not escalations:
            self.stdout.write(_("Nothing is due."))
            return
        policy = defaultdict(set)
        for m in Membership.objects.filter(role=Role.POLICY).select_related("user"):
            policy[m.municipality_id].add(m.user)
        inbox: dict = defaultdict(list)
        for esc in escalations:
            line = describe(esc, today)
            self.stdout.write(line)
            for user in {esc.owner, esc.barrier.owner, *policy[esc.barrier.municipality_id]}:
                if user.email and user.is_active:
                    inbox[user.email].append(line)
        if no_email:
            return
        for address, lines in sorted(inbox.items()):
            send_mail(
                subject=_("Maatwerk: %(n)d barrier escalation(s) need an answer") % {"n": len(lines)},
                message="\n".join(lines),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[address],
            )
        self.stdout.write(_("%(n)d e-mail(s) sent.") % {"n": len(inbox)})
