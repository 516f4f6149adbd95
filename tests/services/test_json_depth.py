from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from teleframe.services.json_depth import too_deep


def _nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def test_depth_is_counted_outside_strings() -> None:
    assert not too_deep(_nested(32))
    assert too_deep(_nested(33))
    assert too_deep(b"[" * 1500 + b"]" * 1500)
    assert not too_deep(json.dumps({"note": "[" * 500 + '\\"{' * 100}).encode())
    wide = json.dumps([[1]] * 400).encode()  # many brackets, little depth
    assert not too_deep(wide)


documents = st.recursive(
    st.none() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=40,
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    return 0


@given(documents, st.integers(min_value=0, max_value=8))
def test_agrees_with_the_parsed_depth(document: object, limit: int) -> None:
    assert too_deep(json.dumps(document).encode(), limit) == (_depth(document) > limit)
