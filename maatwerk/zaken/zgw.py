"""Talking to the ZGW APIs (Zaken, Besluiten, Documenten) through zgw-consumers' clients.

The client of a `Service` comes from zgw_consumers.client.build_client (ape-pie's APIClient: requests with
the service's base URL, timeout and auth; for auth type ZGW a HS256 JWT of client_id and secret). Every
failure becomes an `ExportError` with a Dutch message that names the step, for the case page.
"""

from __future__ import annotations

import requests
from ape_pie import APIClient
from django.utils.translation import gettext as _
from zgw_consumers.client import build_client

# The Zaken API asks these on every request (the zaak's geometry; we send none).
CRS_HEADERS = {"Accept-Crs": "EPSG:4326", "Content-Crs": "EPSG:4326"}
ERROR_LENGTH = 500


class ExportError(Exception):
    """A step failed in a way the case page can explain; the registration can be retried."""


def client_for(service, *, zaken: bool = False) -> APIClient:
    client = build_client(service, client_factory=APIClient)
    if zaken:
        client.headers.update(CRS_HEADERS)
    return client


def _describe(response: requests.Response) -> str:
    """The ZGW error body (title, invalidParams) in one short line."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts = [str(body.get("title") or body.get("detail") or "")]
    for param in body.get("invalidParams") or []:
        if isinstance(param, dict):
            parts.append(f"{param.get('name')}: {param.get('reason')}")
    return "; ".join(p for p in parts if p)[:ERROR_LENGTH]


def call(client: APIClient, method: str, path: str, step: str, **kwargs) -> dict | list:
    """One request; its JSON body, or ExportError naming `step` (a translated label)."""
    try:
        response = client.request(method, path, **kwargs)
    except requests.Timeout:
        raise ExportError(_("%(step)s: the service did not answer in time.") % {"step": step}) from None
    except requests.RequestException as exc:
        raise ExportError(
            _("%(step)s: the service could not be reached (%(error)s).")
            % {"step": step, "error": type(exc).__name__}
        ) from None
    if response.status_code in (401, 403):
        raise ExportError(
            _("%(step)s: the service refused our credentials (HTTP %(code)s); check client ID and secret.")
            % {"step": step, "code": response.status_code}
        )
    if response.status_code >= 400:
        detail = _describe(response)
        raise ExportError(
            _("%(step)s: the service refused the request (HTTP %(code)s). %(detail)s")
            % {"step": step, "code": response.status_code, "detail": detail}
        )
    try:
        return response.json()
    except ValueError:
        raise ExportError(_("%(step)s: the service answered without JSON.") % {"step": step}) from None


def find_all(client: APIClient, path: str, step: str, params: dict) -> list[dict]:
    """Every result of a list call, following `next` (paginated or a plain list, as the API answers)."""
    found: list[dict] = []
    body = call(client, "GET", path, step, params=params)
    for _page in range(100):  # a bound: a case has a handful of statuses
        if isinstance(body, list):
            return found + body
        found.extend(body.get("results") or [])
        following = body.get("next")
        if not following:
            return found
        body = call(client, "GET", following, step)
    return found
