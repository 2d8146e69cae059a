"""A changed password revokes the user's API tokens (and, through Django, ends their other sessions).

Django keeps a hash of the password hash in every session and ends a session whose hash no longer matches
at its next request; `update_session_auth_hash()` (the admin's password pages) keeps only the current
session of someone who changed their own password. API tokens know nothing of the password, so they are
revoked here, whichever way the hash changed: the admin's forms, `set_password()`, `changepassword`.
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from .audit import SECRET_NEW, SECRET_OLD, current_actor, log_access
from .models import AccessLog, ApiToken, Membership, User


@receiver(pre_save, sender=User, dispatch_uid="maatwerk_password_change_seen")
def _note_password_change(sender, instance: User, raw=False, update_fields=None, **kwargs) -> None:
    instance._maatwerk_password_changed = False
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    if getattr(instance, "_maatwerk_checking_password", False):
        return  # a hash upgrade during login (see User.check_password)
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._maatwerk_password_changed = stored is not None and stored != instance.password


@receiver(post_save, sender=User, dispatch_uid="maatwerk_password_change_revokes_tokens")
def _revoke_tokens_after_password_change(sender, instance: User, created=False, raw=False, **kwargs) -> None:
    if raw or created or not getattr(instance, "_maatwerk_password_changed", False):
        return
    instance._maatwerk_password_changed = False
    revoked = revoke_tokens(instance)
    actor, request = current_actor()
    municipality_id = (
        Membership.objects.filter(user=instance, municipality__isnull=False)
        .order_by("municipality_id")
        .values_list("municipality_id", flat=True)
        .first()
    )
    log_access(
        actor,
        instance,
        action=AccessLog.Action.UPDATE,
        purpose="password changed; API tokens revoked",
        municipality_id=municipality_id,
        request=request,
        changes={"password": [SECRET_OLD, SECRET_NEW], "api_tokens_revoked": [0, revoked]},
    )


def revoke_tokens(user: User) -> int:
    """Mark every live token of `user` revoked; returns how many were."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
