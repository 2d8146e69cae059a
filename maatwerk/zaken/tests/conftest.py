"""The stand-in Open Zaak and Eindhoven's configuration pointing at it."""

import pytest
from zgw_consumers.constants import APITypes, AuthTypes
from zgw_consumers.models import Service

from maatwerk.zaken.models import ZaakConfig

from .standin import StandIn, spec

CLIENT_ID = "maatwerk-test"
SECRET = "stand-in-secret-of-at-least-32-bytes"  # noqa: S105 (test-only)
RSIN = "002220647"  # passes the 11-check
CATALOGUS = "https://catalogi.example/api/v1"
STATUSTYPE = {
    "intake": f"{CATALOGUS}/statustypen/1",
    "analysis": f"{CATALOGUS}/statustypen/2",
    "plan": f"{CATALOGUS}/statustypen/3",
    "execution": f"{CATALOGUS}/statustypen/4",
    "closed": f"{CATALOGUS}/statustypen/5",
    "aftercare": f"{CATALOGUS}/statustypen/6",
}


@pytest.fixture
def standin():
    # Parse the VNG documents before the first request, so that no request waits for it (and times out).
    spec("zaken")
    spec("besluiten")
    server = StandIn(client_id=CLIENT_ID, secret=SECRET, eind_statustypen={STATUSTYPE["closed"]}).start()
    yield server
    server.stop()
    # A payload (or an answer) that does not validate against the VNG documents fails the test.
    assert server.problems == []


def service(standin, api: str, api_type: str) -> Service:
    return Service.objects.create(
        label=f"Stand-in {api}",
        slug=f"standin-{api}",
        api_type=api_type,
        api_root=standin.root(api),
        auth_type=AuthTypes.zgw,
        client_id=CLIENT_ID,
        secret=SECRET,
        timeout=10,
    )


@pytest.fixture
def zaak_config(world, standin) -> ZaakConfig:
    return ZaakConfig.objects.create(
        municipality=world.eindhoven,
        enabled=True,
        rsin=RSIN,
        zaken_service=service(standin, "zaken", APITypes.zrc),
        besluiten_service=service(standin, "besluiten", APITypes.brc),
        documenten_service=service(standin, "documenten", APITypes.drc),
        zaaktype=f"{CATALOGUS}/zaaktypen/1",
        statustype_intake=STATUSTYPE["intake"],
        statustype_analysis=STATUSTYPE["analysis"],
        statustype_plan=STATUSTYPE["plan"],
        statustype_execution=STATUSTYPE["execution"],
        statustype_closed=STATUSTYPE["closed"],
        statustype_aftercare=STATUSTYPE["aftercare"],
        resultaattype=f"{CATALOGUS}/resultaattypen/1",
        besluittype=f"{CATALOGUS}/besluittypen/1",
        informatieobjecttype=f"{CATALOGUS}/informatieobjecttypen/1",
    )
