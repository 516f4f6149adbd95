from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teleframe.services.report import addendum, build_report, sign
from teleframe.services.report_chain import canonical_json, verify_chain, version_hash
from tests.services.report.sample import CLINICIAN, sample_input


def _chain(*bodies_and_kinds: tuple[dict[str, Any], str]) -> list[dict[str, Any]]:
    versions: list[dict[str, Any]] = []
    previous = None
    for number, (body, kind) in enumerate(bodies_and_kinds, start=1):
        content_hash = version_hash(body, previous)
        versions.append(
            {
                "number": number,
                "kind": kind,
                "body": body,
                "content_hash": content_hash,
                "previous_hash": previous,
            }
        )
        previous = content_hash
    return versions


@pytest.fixture
def versions() -> list[dict[str, Any]]:
    draft = build_report(sample_input())
    signed = sign(
        draft,
        signer={
            "id": CLINICIAN["id"],
            "name": "Dana Reyes",
            "method": "password and authenticator code",
        },
        signed_at="2026-12-01T18:05:00Z",
    )
    note = addendum(
        "Client called back.",
        author={
            "id": CLINICIAN["id"],
            "name": "Dana Reyes",
            "method": "password and authenticator code",
        },
        written_at="2026-12-02T09:00:00Z",
    )
    return _chain((draft, "draft"), (signed, "signed"), (note, "addendum"))


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": ["é", None]}) == '{"a":["é",null],"b":1}'.encode()
    with pytest.raises(ValueError):
        canonical_json({"a": float("nan")})


def test_version_hash_covers_body_and_previous_hash() -> None:
    body = {"a": 1}
    assert version_hash(body, None).startswith("sha256:")
    assert version_hash(body, None) != version_hash(body, version_hash({"a": 0}, None))
    assert version_hash({"a": 1, "b": 2}, None) == version_hash({"b": 2, "a": 1}, None)


def test_an_untouched_chain_verifies(versions: list[dict[str, Any]]) -> None:
    verdict = verify_chain(versions)

    assert verdict.ok and verdict.checked == 3
    assert verdict.head_hash == versions[-1]["content_hash"]


def test_an_altered_signed_body_is_detected(versions: list[dict[str, Any]]) -> None:
    versions[1]["body"]["location"]["address"] = "somewhere else"

    verdict = verify_chain(versions)

    assert not verdict.ok
    assert verdict.broken_at == 2
    assert "body was altered" in (verdict.reason or "")


def test_an_altered_hash_is_detected(versions: list[dict[str, Any]]) -> None:
    versions[1]["content_hash"] = version_hash({"forged": True}, versions[0]["content_hash"])

    verdict = verify_chain(versions)

    assert (verdict.ok, verdict.broken_at) == (False, 2)
    assert "stored content hash was altered" in (verdict.reason or "")


def test_rehashing_an_altered_version_breaks_the_next_link(versions: list[dict[str, Any]]) -> None:
    versions[1]["body"]["attestation"]["signed_by"]["name"] = "Someone Else"
    versions[1]["content_hash"] = version_hash(versions[1]["body"], versions[1]["previous_hash"])

    verdict = verify_chain(versions)

    assert (verdict.ok, verdict.broken_at) == (False, 3)
    assert "previous hash does not match version 2" in (verdict.reason or "")


def test_a_missing_version_is_detected(versions: list[dict[str, Any]]) -> None:
    del versions[1]

    verdict = verify_chain(versions)

    assert (verdict.ok, verdict.broken_at) == (False, 3)
    assert "missing or out of order" in (verdict.reason or "")


def test_reordered_versions_are_detected(versions: list[dict[str, Any]]) -> None:
    versions[1], versions[2] = versions[2], versions[1]

    verdict = verify_chain(versions)

    assert not verdict.ok and verdict.broken_at == 3


def test_renumbered_reordering_still_fails_on_the_links(versions: list[dict[str, Any]]) -> None:
    versions[1], versions[2] = versions[2], versions[1]
    versions[1]["number"], versions[2]["number"] = 2, 3

    verdict = verify_chain(versions)

    assert not verdict.ok and verdict.broken_at == 2


def test_a_draft_after_signing_is_refused() -> None:
    verdict = verify_chain(_chain(({"a": 1}, "signed"), ({"a": 2}, "draft")))

    assert (verdict.ok, verdict.broken_at) == (False, 2)


def test_an_addendum_needs_a_signed_version() -> None:
    verdict = verify_chain(_chain(({"a": 1}, "draft"), ({"a": 2}, "addendum")))

    assert (verdict.ok, verdict.broken_at) == (False, 2)


def test_no_versions_is_not_a_verified_chain() -> None:
    assert not verify_chain([]).ok


@settings(max_examples=100, deadline=None)
@given(
    bodies=st.lists(
        st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5)),
        min_size=1,
        max_size=5,
    ),
    data=st.data(),
)
def test_any_single_change_to_any_stored_field_is_detected(
    bodies: list[dict[str, Any]], data: st.DataObject
) -> None:
    kinds = ["draft"] + ["signed"] * (len(bodies) > 1) + ["addendum"] * (len(bodies) - 2)
    versions = _chain(*zip(bodies, kinds, strict=True))
    assert verify_chain(versions).ok
    tampered = copy.deepcopy(versions)
    index = data.draw(st.integers(0, len(versions) - 1))
    field = data.draw(st.sampled_from(["body", "content_hash", "previous_hash", "number"]))
    if field == "body":
        tampered[index]["body"] = {**tampered[index]["body"], "\x00tamper": 1}
    elif field == "number":
        tampered[index]["number"] += 1
    else:
        tampered[index][field] = version_hash({"other": index}, None)

    assert not verify_chain(tampered).ok
