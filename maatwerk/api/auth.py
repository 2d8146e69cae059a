from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from maatwerk.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer mw_…` with a personal token; only its hash is stored.

    A revoked token (withdrawn in the admin, or its owner's password changed) is refused like an unknown one.
    """

    def authenticate(self, request, token: str):
        try:
            api_token = ApiToken.objects.select_related("user").get(
                key_hash=ApiToken.hash(token), revoked_at__isnull=True
            )
        except ApiToken.DoesNotExist:
            return None
        if not api_token.user.is_active:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


AUTH = [TokenAuth(), django_auth]
