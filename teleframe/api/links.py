"""OpenAPI links: which response's ids feed which next request.

They document the workflows (create a session, check in, read the verdict; register an
endpoint, then read, change or delete it) for people and for tools: the stateful contract test
follows them. Added by an apispec plugin as flask-smorest registers each path, so the table
stays in one place and the resources stay as they are.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin

SESSION = "/v1/sessions/{session_id}"
ENDPOINT = "/v1/webhook-endpoints/{endpoint_id}"


def _ref(path: str, method: str) -> str:
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def _follow(path: str, method: str, **parameters: str) -> dict[str, Any]:
    return {"operationRef": _ref(path, method), "parameters": parameters}


def _session_reads(session_id: str) -> dict[str, dict[str, Any]]:
    return {
        "GetSession": _follow(SESSION, "get", session_id=session_id),
        "CheckIn": _follow(SESSION + "/checkins", "post", session_id=session_id),
        "GetFrame": _follow(SESSION + "/frame", "get", session_id=session_id),
        "ListEvents": _follow(SESSION + "/events", "get", session_id=session_id),
        "ReportEvent": _follow(SESSION + "/events", "post", session_id=session_id),
        "ListNotifications": _follow(SESSION + "/notifications", "get", session_id=session_id),
        "MakeCheckInLink": _follow(SESSION + "/checkin-links", "post", session_id=session_id),
        "GetReport": _follow(SESSION + "/report", "get", session_id=session_id),
        "GetReportFhir": _follow(SESSION + "/report.fhir.json", "get", session_id=session_id),
        "VerifyReport": _follow(SESSION + "/report/verify", "get", session_id=session_id),
    }


def _endpoint_uses(endpoint_id: str) -> dict[str, dict[str, Any]]:
    return {
        "GetEndpoint": _follow(ENDPOINT, "get", endpoint_id=endpoint_id),
        "ChangeEndpoint": _follow(ENDPOINT, "patch", endpoint_id=endpoint_id),
        "DeleteEndpoint": _follow(ENDPOINT, "delete", endpoint_id=endpoint_id),
        "ListDeliveries": _follow(ENDPOINT + "/deliveries", "get", endpoint_id=endpoint_id),
        "Replay": _follow(ENDPOINT + "/replay", "post", endpoint_id=endpoint_id),
    }


LINKS: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {
    ("/v1/clinicians", "post", "201"): {
        "GetClinician": _follow(
            "/v1/clinicians/{clinician_id}", "get", clinician_id="$response.body#/id"
        ),
    },
    ("/v1/clients", "post", "201"): {
        "GetClient": _follow("/v1/clients/{client_id}", "get", client_id="$response.body#/id"),
    },
    ("/v1/sessions", "post", "201"): _session_reads("$response.body#/id"),
    (SESSION + "/checkins", "post", "202"): {
        "GetVerdict": _follow(
            SESSION + "/checkins/{checkin_id}/verdict",
            "get",
            session_id="$response.body#/session_id",
            checkin_id="$response.body#/checkin_id",
        ),
        **_session_reads("$response.body#/session_id"),
    },
    ("/v1/integrations", "post", "201"): {
        "GetIntegration": _follow(
            "/v1/integrations/{integration_id}", "get", integration_id="$response.body#/id"
        ),
    },
    ("/v1/webhook-endpoints", "post", "201"): _endpoint_uses("$response.body#/id"),
    (ENDPOINT, "patch", "200"): _endpoint_uses("$request.path.endpoint_id"),
}


class LinksPlugin(BasePlugin):
    """Adds `LINKS` to the responses they belong to."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any
    ) -> None:
        for method, operation in (operations or {}).items():
            for status, response in operation.get("responses", {}).items():
                links = LINKS.get((path or "", method, str(status)))
                if links and isinstance(response, dict):
                    response.setdefault("links", {}).update(links)
