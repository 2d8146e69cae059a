"""A small stand-in for Open Zaak in the tests: the few Zaken, Besluiten and Documenten API endpoints the
export calls (create, list with filters, retrieve), on 127.0.0.1 at a free port, in a thread.

Every request it receives is checked as Open Zaak would check it where it matters to us:
- the ZGW JWT: HS256 with the configured secret, and its client_id claim;
- the request against the VNG OpenAPI documents (Zaken API 1.5.1, Besluiten API 1.0.2) with openapi-core;
  the Documenten API's document is not in ../shared/data/vng/, so its payload is checked by hand against the
  fields the Documenten API 1.x requires;
- and every answer it gives against the same documents, so that the client is tested against ZGW-shaped
  JSON and not against whatever this module happens to return.
A request or answer that does not validate is kept in `problems`; the `standin` fixture fails the test
with them. Faults: `fail_next(method, collection, "timeout")` stores the object and answers too late (the
client times out after the remote side committed), `"slow"` the same within the client's patience, and
`"error"` answers 500 without storing.
"""

from __future__ import annotations

import base64
import datetime
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import jwt
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

# maatwerk/zaken/tests/standin.py -> the repository is parents[3]; the shared data sits beside it.
VNG_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "vng"
ZAKEN_SPEC = VNG_DIR / "zaken-api-1.5.1.yaml"
BESLUITEN_SPEC = VNG_DIR / "besluiten-api-1.0.2.yaml"
# The spec's server URLs: the stand-in's paths are validated as if they were there.
SPEC_HOST = {"zaken": "https://zaken-api.vng.cloud", "besluiten": "https://besluiten.example"}

_specs: dict[str, OpenAPI] = {}
_specs_lock = threading.Lock()


def spec(api: str) -> OpenAPI | None:
    if api not in SPEC_HOST:
        return None
    with _specs_lock:
        if api not in _specs:
            path = ZAKEN_SPEC if api == "zaken" else BESLUITEN_SPEC
            _specs[api] = OpenAPI.from_dict(yaml.load(path.read_text(), Loader=yaml.CSafeLoader))
        return _specs[api]


COLLECTIONS = {
    "zaken": {"zaken", "statussen", "resultaten", "zaakinformatieobjecten"},
    "besluiten": {"besluiten"},
    "documenten": {"enkelvoudiginformatieobjecten"},
}
# The Zaken API answers these lists as plain arrays, the others paginated.
PLAIN_LISTS = {"zaakinformatieobjecten"}
DOCUMENT_REQUIRED = (
    "bronorganisatie",
    "creatiedatum",
    "titel",
    "auteur",
    "taal",
    "informatieobjecttype",
)
# Filters each list endpoint supports (what the export asks; others are ignored, as the API would not).
FILTERS = {
    "zaken": ("identificatie", "bronorganisatie"),
    "statussen": ("zaak",),
    "resultaten": ("zaak",),
    "zaakinformatieobjecten": ("zaak", "informatieobject"),
    "besluiten": ("identificatie", "verantwoordelijkeOrganisatie", "zaak"),
    "enkelvoudiginformatieobjecten": ("identificatie", "bronorganisatie"),
}


class StandIn:
    def __init__(self, *, client_id: str, secret: str, eind_statustypen=()):
        self.client_id = client_id
        self.secret = secret
        self.eind_statustypen = set(eind_statustypen)
        self.store: dict[str, dict[str, dict]] = {c: {} for cs in COLLECTIONS.values() for c in cs}
        self.zaakbesluiten: list[dict] = []
        self.contents: dict[str, bytes] = {}  # document URL -> the file sent
        self.problems: list[str] = []
        self.requests: list[tuple[str, str]] = []
        self.faults: dict[tuple[str, str], str] = {}
        self.delay = 2.5  # seconds: set longer than the services' timeout in a test that times out
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- for the tests -------------------------------------------------------------------------------
    def root(self, api: str) -> str:
        return f"{self.base}/{api}/api/v1/"

    def start(self) -> StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, method: str, collection: str, how: str) -> None:
        self.faults[(method, collection)] = how

    def objects(self, collection: str) -> list[dict]:
        with self._lock:
            return list(self.store[collection].values())

    # -- the API ------------------------------------------------------------------------------------------
    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet in the test output
                pass

            def do_GET(self):
                standin._serve(self, "GET")

            def do_POST(self):
                standin._serve(self, "POST")

        return Handler

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        parts = [p for p in url.path.split("/") if p]
        query = dict(parse_qsl(url.query))
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        self.requests.append((method, url.path))
        if len(parts) < 4 or parts[1:3] != ["api", "v1"] or parts[0] not in COLLECTIONS:
            return self._answer(handler, 404, {"detail": "Niet gevonden."})
        api, collection, rest = parts[0], parts[3], parts[4:]
        if collection not in COLLECTIONS[api] or len(rest) > 1:
            return self._answer(handler, 404, {"detail": "Niet gevonden."})
        if refusal := self._check_jwt(handler.headers.get("Authorization", "")):
            self.problems.append(f"{method} {url.path}: {refusal}")
            return self._answer(handler, 403, _error(403, "permission_denied", refusal))
        validation = self._validate_request(api, method, url.path, query, dict(handler.headers), raw)
        if validation:
            self.problems.extend(f"{method} {url.path}: {e}" for e in validation)
            return self._answer(handler, 400, _error(400, "invalid", "; ".join(validation)))
        fault = self.faults.pop((method, collection), None)
        if fault == "error":
            return self._answer(handler, 500, _error(500, "error", "Stand-in: injected server error"))
        with self._lock:
            if method == "POST":
                status, body = 201, self._create(api, collection, json.loads(raw or b"{}"))
            elif rest:
                found = self.store[collection].get(rest[0])
                status, body = (200, found) if found else (404, {"detail": "Niet gevonden."})
            else:
                status, body = 200, self._list(collection, query)
        if fault in ("timeout", "slow"):
            # Committed, but answered late: with "timeout" the client has given up by then.
            self._stopping.wait(self.delay)
        self._validate_response(api, method, url.path, query, dict(handler.headers), raw, status, body)
        self._answer(handler, status, body)

    def _answer(self, handler, status: int, body) -> None:
        data = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and went away

    def _check_jwt(self, header: str) -> str:
        if not header.startswith("Bearer "):
            return "no Bearer token"
        try:
            claims = jwt.decode(header[7:], self.secret, algorithms=["HS256"])
        except jwt.PyJWTError as exc:
            return f"bad JWT: {exc}"
        if claims.get("client_id") != self.client_id:
            return f"unknown client_id {claims.get('client_id')!r}"
        return ""

    def _spec_request(self, api, method, path, query, headers, raw):
        return MockRequest(
            SPEC_HOST[api],
            method.lower(),
            "/api/v1/" + path.split("/api/v1/", 1)[1],
            args=query,
            headers=headers,
            data=raw or None,
            content_type=headers.get("Content-Type", "application/json"),
        )

    def _validate_request(self, api, method, path, query, headers, raw) -> list[str]:
        openapi = spec(api)
        if openapi is None:
            return self._validate_document(method, raw)
        request = self._spec_request(api, method, path, query, headers, raw)
        return [_explain(e) for e in openapi.iter_request_errors(request)]

    def _validate_response(self, api, method, path, query, headers, raw, status, body) -> None:
        openapi = spec(api)
        if openapi is None:
            return
        request = self._spec_request(api, method, path, query, headers, raw)
        response = MockResponse(
            json.dumps(body).encode(), status_code=status, content_type="application/json"
        )
        for error in openapi.iter_response_errors(request, response):
            self.problems.append(f"answer to {method} {path}: {_explain(error)}")

    def _validate_document(self, method, raw) -> list[str]:
        """The Documenten API's required fields and the few formats we rely on (its OpenAPI document is
        not among the shared VNG documents)."""
        if method != "POST":
            return []
        body = json.loads(raw or b"{}")
        errors = [f"{name}: required" for name in DOCUMENT_REQUIRED if not body.get(name)]
        if body.get("vertrouwelijkheidaanduiding") not in (None, "zeer_geheim", "geheim", "vertrouwelijk"):
            errors.append("vertrouwelijkheidaanduiding: unexpected value")
        if len(body.get("taal", "")) != 3:
            errors.append("taal: an ISO 639-2/B code of 3 letters")
        if len(body.get("bronorganisatie", "")) != 9:
            errors.append("bronorganisatie: 9 digits")
        return errors

    # -- the store ------------------------------------------------------------------------------------------
    def _new(self, api: str, collection: str, data: dict) -> dict:
        key = str(uuid.uuid4())
        obj = {**data, "url": f"{self.root(api)}{collection}/{key}", "uuid": key}
        self.store[collection][key] = obj
        return obj

    def _zaak(self, url: str) -> dict | None:
        return next((z for z in self.store["zaken"].values() if z["url"] == url), None)

    def _create(self, api: str, collection: str, data: dict) -> dict:
        now = datetime.datetime.now(datetime.UTC).isoformat()
        if collection == "zaken":
            return self._new(
                api,
                collection,
                {
                    "registratiedatum": datetime.date.today().isoformat(),
                    "toelichting": "",
                    **data,
                    "einddatum": None,
                    "betalingsindicatieWeergave": "",
                    "deelzaken": [],
                    "eigenschappen": [],
                    "rollen": [],
                    "status": None,
                    "resultaat": None,
                    "zaakinformatieobjecten": [],
                    "zaakobjecten": [],
                },
            )
        if collection == "statussen":
            for other in self.store["statussen"].values():
                if other["zaak"] == data["zaak"]:
                    other["indicatieLaatstGezetteStatus"] = False
            obj = self._new(
                api, collection, {**data, "indicatieLaatstGezetteStatus": True, "zaakinformatieobjecten": []}
            )
            zaak = self._zaak(data["zaak"])
            if zaak is not None:
                zaak["status"] = obj["url"]
                if data["statustype"] in self.eind_statustypen:
                    zaak["einddatum"] = data["datumStatusGezet"][:10]
            return obj
        if collection == "resultaten":
            obj = self._new(api, collection, data)
            if zaak := self._zaak(data["zaak"]):
                zaak["resultaat"] = obj["url"]
            return obj
        if collection == "zaakinformatieobjecten":
            obj = self._new(
                api,
                collection,
                {**data, "aardRelatieWeergave": "Hoort bij, omgekeerd: kent", "registratiedatum": now},
            )
            if zaak := self._zaak(data["zaak"]):
                zaak["zaakinformatieobjecten"].append(obj["url"])
            return obj
        if collection == "besluiten":
            obj = self._new(api, collection, data)
            if data.get("zaak"):
                # What the Besluiten API does itself: the zaakbesluit in the Zaken API.
                self.zaakbesluiten.append({"zaak": data["zaak"], "besluit": obj["url"]})
            return obj
        content = base64.b64decode(data.pop("inhoud", "") or "")
        obj = self._new(
            api, collection, {**data, "inhoud": f"{self.base}/inhoud", "versie": 1, "locked": False}
        )
        self.contents[obj["url"]] = content
        return obj

    def _list(self, collection: str, query: dict):
        wanted = {k: v for k, v in query.items() if k in FILTERS[collection]}
        found = [o for o in self.store[collection].values() if all(o.get(k) == v for k, v in wanted.items())]
        if collection in PLAIN_LISTS:
            return found
        return {"count": len(found), "next": None, "previous": None, "results": found}


def _error(status: int, code: str, title: str) -> dict:
    return {"type": "", "code": code, "title": title, "status": status, "detail": title, "instance": ""}


def _explain(error) -> str:
    """openapi-core nests the schema errors under the cause; both say what is wrong."""
    cause = getattr(error, "__cause__", None)
    inner = getattr(cause, "schema_errors", None)
    if inner:
        return f"{error}: " + "; ".join(getattr(e, "message", str(e)) for e in inner)
    return str(error) if cause is None else f"{error}: {cause}"
