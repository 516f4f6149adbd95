"""The OpenAPI document stays true: schemathesis sends generated and invalid requests.

No request may produce a 5xx, invalid data must be refused, responses must match the spec.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def api_schema(app):  # type: ignore[no-untyped-def]
    loaded = schemathesis.openapi.from_wsgi("/v1/openapi.json", app)
    # both modes: valid requests must be accepted, invalid ones refused
    # the key is supplied by the test itself, so don't generate (or mutate) the auth header
    loaded.config.generation.update(modes=list(GenerationMode), with_security_parameters=False)
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module")
def auth(app):  # type: ignore[no-untyped-def]
    import uuid

    from teleframe.api.auth import issue_key
    from teleframe.extensions import db
    from teleframe.models import Practice
    from teleframe.operations import policy

    with app.app_context():
        practice = Practice(id=uuid.uuid4(), name="contract")
        db.session.add(practice)
        db.session.flush()
        policy.ensure_default(db.session, practice.id)
        key = issue_key(db.session, practice.id)
        db.session.commit()
    return {"Authorization": f"Bearer {key}"}


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case, auth):  # type: ignore[no-untyped-def]
    case.call_and_validate(
        headers=auth,
        checks=[
            checks.not_a_server_error,
            checks.negative_data_rejection,
            checks.response_schema_conformance,
            checks.status_code_conformance,
        ],
    )
