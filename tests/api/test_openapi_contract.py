"""The OpenAPI document stays true: schemathesis sends generated and invalid requests, one at a
time and as workflows that follow the document's links (create a session, check in, read the
verdict; register an endpoint, read, change and delete it).

Every schemathesis check but one runs: no request may produce a 5xx, invalid data must be
refused, statuses, content types, headers and bodies must be as documented.
Budgets: `TELEFRAME_CONTRACT_EXAMPLES` (per operation) and `TELEFRAME_CONTRACT_SCENARIOS`
(workflows), kept so this file runs in about two minutes on the two-core CI machine.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode

from tests.conftest import PracticeHandle, new_practice, soon
from tests.webhooks.conftest import LOOPBACK, allow_private

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXAMPLES = int(os.environ.get("TELEFRAME_CONTRACT_EXAMPLES", "100"))
SCENARIOS = int(os.environ.get("TELEFRAME_CONTRACT_SCENARIOS", "500"))
# every check but one: a schema-valid request may still be refused for what a schema cannot
# say (an id of another practice's clinician, a session that has ended): 404, 409 or 422
BESIDES = [checks.positive_data_acceptance]


@pytest.fixture(scope="module")
def api_schema(app):  # type: ignore[no-untyped-def]
    loaded = schemathesis.openapi.from_wsgi("/v1/openapi.json", app)
    # both modes: valid requests must be accepted, invalid ones refused
    # the key is supplied by the test itself, so don't generate (or mutate) the auth header
    loaded.config.generation.update(modes=list(GenerationMode), with_security_parameters=False)
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module")
def practice(app) -> PracticeHandle:  # type: ignore[no-untyped-def]
    return new_practice(app, "contract")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case, practice):  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=practice.headers, excluded_checks=BESIDES)


def test_workflows_along_the_links_conform(app, api_schema, monkeypatch):  # type: ignore[no-untyped-def]
    allow_private(app, monkeypatch, LOOPBACK)  # endpoints registered on loopback (never called)
    found: list[str] = []
    ran: list[int] = []
    workflow = _workflow(api_schema.as_state_machine(), app, found, ran)
    for _ in range(20):  # runs cut short by a replay that met other state go on, as below
        if found or len(ran) >= SCENARIOS:
            break
        try:
            workflow.run(settings=_scenarios(SCENARIOS - len(ran)))
        except hypothesis.errors.Flaky:
            # the API keeps state, and async work (evaluations) moves on between a run and its
            # replay: Hypothesis calls that flaky. Failures were recorded as they happened.
            continue
    assert not found, "\n\n".join(found)
    print(f"{len(ran)} workflows")


def _scenarios(count: int) -> settings:
    return settings(
        max_examples=count,
        stateful_step_count=6,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        # no shrinking and no examples from earlier runs: a replay meets different state
        database=None,
        phases=[Phase.explicit, Phase.generate],
    )


def _workflow(base: Any, app: Any, found: list[str], ran: list[int]) -> Any:
    class Workflow(base):  # type: ignore[misc, valid-type]
        """Each scenario as a practice of its own, so limits and idempotency keys of one
        scenario never leak into the next."""

        def setup(self) -> None:
            ran.append(1)
            self.practice = new_practice(app, "contract")
            self.people = {
                "clinician_id": self.practice.clinician(),
                "client_id": self.practice.client(),
            }

        def before_call(self, case: Any) -> None:
            _plausible(case, self.people)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": self.practice.headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            try:
                case.validate_response(
                    response, headers=self.practice.headers, excluded_checks=BESIDES
                )
            except Exception as failure:
                found.append(f"{case.method} {case.formatted_path}: {failure}")
                raise

    return Workflow


def _plausible(case: Any, people: dict[str, str]) -> None:
    """Make the requests that start a workflow able to succeed: a session of this practice's
    people starting soon, an endpoint on a loopback URL. Only well-formed values are replaced,
    and the body is assigned anew, so schemathesis checks again whether it is still invalid."""
    if case.method != "POST" or not isinstance(case.body, dict):
        return
    body = dict(case.body)
    if case.path == "/v1/sessions":
        for name, known in people.items():
            if _reads_as(uuid.UUID, body.get(name)):
                body[name] = known
        times = (body.get("scheduled_start"), body.get("scheduled_end"))
        if all(_reads_as(datetime.fromisoformat, value) for value in times):
            body["scheduled_start"] = soon().isoformat()
            body["scheduled_end"] = (soon() + timedelta(minutes=50)).isoformat()
    if case.path == "/v1/webhook-endpoints" and isinstance(body.get("url"), str):
        body["url"] = f"http://127.0.0.1:9/{uuid.uuid4().hex}"
    case.body = body


def _reads_as(parse: Callable[[str], object], value: object) -> bool:
    """`value` is a string `parse` accepts (a well-formed id or time)."""
    try:
        parse(str(value))
    except ValueError:
        return False
    return isinstance(value, str)
