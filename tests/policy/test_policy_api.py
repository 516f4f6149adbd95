"""The practice's policy through the API: versions, validation errors, pinning per session."""

from __future__ import annotations

import copy
import subprocess
import sys

from teleframe.services.policy import default_policy_text
from tests.conftest import wait_for
from tests.samples import GOOD_CHECKIN

YAML = {"Content-Type": "application/yaml"}


def _put(practice, text: str, content_type: str = "application/yaml"):  # type: ignore[no-untyped-def]
    return practice.http.put(
        "/v1/policy", data=text.encode(), headers={**practice.headers, "Content-Type": content_type}
    )


def _tightened() -> str:
    return default_policy_text().replace("require_address: false", "require_address: true", 1)


def test_a_practice_starts_with_the_default_and_saves_new_versions(make_practice):
    practice = make_practice()
    current = practice.get("/v1/policy").get_json()
    assert current["number"] == 1 and current["content_hash"].startswith("sha256:")
    saved = _put(practice, _tightened())
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["number"] == 2
    assert saved.get_json()["document"]["rules"]["location"]["require_address"] is True
    again = _put(practice, _tightened())  # unchanged: no new version
    assert again.get_json()["number"] == 2
    numbers = [item["number"] for item in practice.get("/v1/policy/versions").get_json()]
    assert numbers == [2, 1]


def test_invalid_policies_are_422_naming_path_and_line(make_practice):
    practice = make_practice()
    broken = default_policy_text().replace("severity: block", "severity: maybe", 1)
    response = _put(practice, broken)
    assert response.status_code == 422
    errors = response.get_json()["errors"]["policy"]
    assert any("severity" in item["path"] and item["line"] for item in errors)
    bad_cel = default_policy_text() + (
        "\ncustom_rules:\n  - id: broken\n    expression: 'checkin.location.'\n"
        "    severity: warn\n    message: x\n    clinician_message: y\n"
    )
    assert _put(practice, bad_cel).status_code == 422
    assert _put(practice, "{not yaml: [").status_code == 422
    assert _put(practice, "x", content_type="text/html").status_code == 415
    assert practice.get("/v1/policy").get_json()["number"] == 1


def test_policies_are_per_practice(make_practice):
    a, b = make_practice("A"), make_practice("B")
    assert _put(a, _tightened()).status_code == 200
    assert b.get("/v1/policy").get_json()["number"] == 1
    assert [v["number"] for v in b.get("/v1/policy/versions").get_json()] == [1]


def test_a_session_keeps_the_version_pinned_at_its_first_evaluation(worker, make_practice):
    practice = make_practice()
    pinned_session = practice.session()
    assert practice.post(f"/v1/sessions/{pinned_session}/checkins", GOOD_CHECKIN).status_code == 202
    first = wait_for(
        lambda: practice.get(f"/v1/sessions/{pinned_session}/frame").get_json()["evaluation"]
    )
    assert first["policy_version"]["number"] == 1
    # the practice now asks for a street address... which GOOD_CHECKIN has; ask for headphones off
    no_address = copy.deepcopy(GOOD_CHECKIN)
    no_address["location"]["address"] = None
    assert _put(practice, _tightened()).status_code == 200
    fresh_session = practice.session()
    for session in (pinned_session, fresh_session):
        practice.post(f"/v1/sessions/{session}/checkins", no_address)

    def verdict(session):  # type: ignore[no-untyped-def]
        frame = practice.get(f"/v1/sessions/{session}/frame").get_json()
        evaluation = frame["evaluation"]
        return evaluation if evaluation and not frame["evaluation_pending"] else None

    pinned = wait_for(
        lambda: (v := verdict(pinned_session)) and v["checkin_id"] != first["checkin_id"] and v
    )
    fresh = wait_for(lambda: verdict(fresh_session))
    assert pinned["policy_version"]["number"] == 1
    assert "LOCATION_INCOMPLETE" not in {f["code"] for f in pinned["findings"]}
    assert fresh["policy_version"]["number"] == 2
    assert "LOCATION_INCOMPLETE" in {f["code"] for f in fresh["findings"]}


def test_policy_lint_command(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(default_policy_text())
    bad = tmp_path / "bad.yaml"
    bad.write_text(default_policy_text().replace("severity: block", "severity: maybe", 1))
    ok = subprocess.run(
        [sys.executable, "-m", "teleframe.cli", "policy", "lint", str(good)],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "valid (sha256:" in ok.stdout
    failed = subprocess.run(
        [sys.executable, "-m", "teleframe.cli", "policy", "lint", str(bad)],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1
    assert "bad.yaml:" in failed.stderr and "severity" in failed.stderr
