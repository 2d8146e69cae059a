"""The themes of the voices: one list, kept by the functional administrators in /beheer/."""

from maatwerk.accounts.models import AccessLog
from maatwerk.cases.models import Theme


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_functional_administrator_adds_and_deactivates_a_theme_and_it_is_logged(world, client_for):
    c = client_for(staff(world.adam))
    response = c.post(
        "/beheer/cases/theme/add/",
        {
            "name": "wonen",
            "name_en": "housing",
            "description": "",
            "barrier_type": "rule_clash",
            "order": 9,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    theme = Theme.objects.get(name="wonen")
    assert theme.barrier_type == "rule_clash"
    response = c.post(
        f"/beheer/cases/theme/{theme.pk}/change/",
        {"name": "wonen", "name_en": "housing", "description": "", "barrier_type": "", "order": 9},
    )
    assert response.status_code == 302
    theme.refresh_from_db()
    assert not theme.active
    assert AccessLog.objects.filter(object_type="cases.theme", object_id=str(theme.pk)).count() == 2


def test_a_theme_is_never_deleted_and_an_unknown_barrier_type_is_refused(world, client_for):
    c = client_for(staff(world.adam))
    theme = Theme.objects.first()
    assert c.post(f"/beheer/cases/theme/{theme.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Theme.objects.filter(pk=theme.pk).exists()
    response = c.post("/beheer/cases/theme/add/", {"name": "x", "barrier_type": "made_up", "order": 1})
    assert response.status_code == 200 and not Theme.objects.filter(name="x").exists()


def test_a_worker_does_not_reach_the_themes(world, client_for):
    c = client_for(staff(world.alice))
    assert c.get("/beheer/cases/theme/").status_code in (302, 403)
