"""Policy text (YAML, or JSON as a subset of it) -> a document, with the line of every node so
that each problem can point at the line to fix."""

from __future__ import annotations

from typing import Any

import yaml

from .errors import PathKey, PolicyError, line_for, problem
from .text import PROBLEM, unusable_text
from .validation import validate_policy

MAX_POLICY_CHARS = 200_000


def _walk_nodes(
    node: yaml.Node, path: PathKey, lines: dict[PathKey, int], dupes: list[tuple[PathKey, int]]
) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dupes.append(((*path, key), key_node.start_mark.line + 1))
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk_nodes(value_node, (*path, key), lines, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_nodes(item, (*path, index), lines, dupes)


def _refuse_aliases(text: str) -> None:
    """YAML aliases can expand a small upload into an enormous document; policies need none."""
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
            line = token.start_mark.line + 1
            message = "YAML anchors and aliases are not supported in a policy."
            raise PolicyError([problem((), message, line)])


def _read_document(text: str) -> tuple[Any, dict[PathKey, int], list[tuple[PathKey, int]]]:
    lines: dict[PathKey, int] = {}
    dupes: list[tuple[PathKey, int]] = []
    try:
        _refuse_aliases(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise PolicyError([problem((), f"Not valid YAML or JSON: {reason}", line)]) from None
    if node is not None:
        _walk_nodes(node, (), lines, dupes)
    return data, lines, dupes


def parse_policy(text: str) -> dict[str, Any]:
    """YAML or JSON text -> the validated, normalised policy (every default filled in)."""
    if not text.strip():
        raise PolicyError([problem((), "The policy document is empty.")])
    if len(text) > MAX_POLICY_CHARS:
        message = f"The policy document is longer than {MAX_POLICY_CHARS} characters."
        raise PolicyError([problem((), message)])
    data, lines, dupes = _read_document(text)
    if dupes:
        raise PolicyError([problem(path, "Duplicate key.", line) for path, line in dupes])
    bad_text = list(dict.fromkeys(unusable_text(data)))
    if bad_text:
        raise PolicyError([problem(path, PROBLEM, line_for(path, lines)) for path in bad_text])
    return validate_policy(data, lines)
