import pytest

from maatwerk.accounts.audit import log_access
from maatwerk.accounts.models import AccessLog, AppendOnlyError

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(world):
    return log_access(world.alice, world.team_a, action=AccessLog.Action.READ, purpose="test")


def test_access_log_row_cannot_be_updated(entry):
    entry.purpose = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AccessLog.objects.get(pk=entry.pk).purpose == "test"


def test_access_log_row_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_access_log_queryset_update_and_delete_refuse(entry):
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=entry.pk).update(purpose="changed")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.bulk_update([entry], ["purpose"])
    assert AccessLog.objects.get(pk=entry.pk).purpose == "test"


def test_deleting_a_logged_user_is_refused(entry, world):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        world.alice.delete()


def test_admin_can_search_access_log(entry, world, client_for):
    world.adam.is_staff = True
    world.adam.save()
    from django.contrib.auth.models import Permission

    world.adam.user_permissions.add(
        Permission.objects.get(codename="view_accesslog", content_type__app_label="accounts")
    )
    response = client_for(world.adam).get("/beheer/accounts/accesslog/", {"q": "alice"})
    assert response.status_code == 200
    assert "accounts.team" in response.content.decode()


def test_admin_cannot_change_access_log(entry, world, client_for):
    world.adam.is_superuser = world.adam.is_staff = True
    world.adam.save()
    c = client_for(world.adam)
    response = c.post(f"/beheer/accounts/accesslog/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AccessLog.objects.filter(pk=entry.pk).exists()
