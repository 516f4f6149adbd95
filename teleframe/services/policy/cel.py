"""Running CEL expressions on check-ins: values converted to CEL, one activation per
evaluation, and programs transpiled once."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cache
from typing import Any

import celpy
import celpy.evaluation
import lark
from celpy import celtypes

from .cel_budget import Budget, BudgetedEvaluator
from .cel_limits import check_limits

# celpy logs activations (the client's check-in) at debug level and evaluation failures at
# error level; neither may reach the logs, which must stay free of PHI.
logging.getLogger("celpy").setLevel(logging.CRITICAL)

_INT64 = -(2**63)
_KEYS: dict[str, celtypes.StringType] = {}  # map keys: schema field names, a small set
_TRUE, _FALSE = celtypes.BoolType(True), celtypes.BoolType(False)


def _key(name: str) -> celtypes.StringType:
    key = _KEYS.get(name)
    if key is None:
        key = celtypes.StringType(name)
        if len(_KEYS) < 256:
            _KEYS[name] = key
    return key


def to_cel(value: Any) -> Any:
    """A check-in or session value as CEL values; absent (None) map entries are dropped so that
    `has(checkin.backup.callback_phone)` means "answered".

    Built with the plain constructors of celpy's value types (their own constructors re-check
    what the schema already guarantees); this runs on every evaluation with custom rules.
    """
    if value is True or value is False:
        return _TRUE if value else _FALSE
    if isinstance(value, str):
        return str.__new__(celtypes.StringType, value)
    if isinstance(value, dict):
        mapping = celtypes.MapType()
        dict.update(mapping, {_key(k): to_cel(v) for k, v in value.items() if v is not None})
        return mapping
    if isinstance(value, list | tuple):
        return celtypes.ListType([to_cel(v) for v in value])
    if isinstance(value, int):
        return int.__new__(celtypes.IntType, value) if _INT64 <= value < -_INT64 else None
    if isinstance(value, float):
        return celtypes.DoubleType(value)
    if isinstance(value, datetime):
        return celtypes.TimestampType(value)
    return None


def is_cel_bool(value: Any) -> bool:
    return isinstance(value, bool | celtypes.BoolType)


class CelError(Exception):
    """A custom rule's expression failed on a check-in; the message never holds check-in data."""


# CEL's standard functions and no variables; the protobuf well-known types are left out
# because check-ins are plain maps (and cloning them costs more than the rest together).
_BASE_ACTIVATION = celpy.evaluation.Activation(functions=celpy.evaluation.base_functions)


def cel_activation(checkin: dict[str, Any], session: dict[str, Any]) -> Any:
    """The variables custom rules see; built once per evaluation and shared by every rule."""
    activation = _BASE_ACTIVATION.clone()
    activation.identifiers.load_values({"checkin": to_cel(checkin), "session": to_cel(session)})
    return activation


class CelProgram:
    """One CEL expression, parsed and checked against the static limits once.

    It runs on celpy's public tree-walking `Evaluator` (see cel_budget), charging every step to
    the caller's budget. celpy's transpiling runner is faster, but its public `evaluate` runs
    the transpiled module in globals shared by all threads and logs failures with the
    activation (the client's check-in); making it private and budgeted meant executing
    celpy's generated source with `exec`, which no public API supports.
    """

    def __init__(self, expression: str) -> None:
        ast = _environment().compile(expression)
        check_limits(ast)
        self.ast = _collapsed(ast)

    def __call__(self, activation: Any, budget: Budget) -> Any:
        """The expression's value; CelError when it fails, BudgetExhausted when it runs out.

        Only the errors an expression can cause become CelError: anything else (a worker's
        soft time limit above all) propagates, so a stopped evaluation never looks finished.
        """
        try:
            value = BudgetedEvaluator(self.ast, activation, budget).evaluate()
        except celpy.CELEvalError as exc:
            raise CelError(str(exc.args[0])[:120] if exc.args else "evaluation error") from None
        except _EXPRESSION_ERRORS as exc:
            raise CelError(type(exc).__name__) from None
        return value


# What celpy lets escape from a bad expression (its own errors mostly come back as values).
_EXPRESSION_ERRORS = (
    celpy.evaluation.CELUnsupportedError,
    celpy.evaluation.CELSyntaxError,
    ArithmeticError,
    LookupError,
    TypeError,
    ValueError,
    AttributeError,
    RecursionError,
)


# Grammar levels whose evaluator method, given a single child, only returns that child's value.
_PASS_THROUGH = frozenset(
    {"expr", "conditionalor", "conditionaland", "relation", "addition", "multiplication"}
    | {"unary", "member"}
)


def _collapsed(tree: lark.Tree) -> lark.Tree:
    """The parse tree without its single-child pass-through levels (about two in three nodes
    of a typical rule): the same value, several times fewer steps. celpy exposes the AST for
    such transformations; tests hold the results equal to those of the full tree."""
    while (
        tree.data in _PASS_THROUGH
        and len(tree.children) == 1
        and isinstance(tree.children[0], lark.Tree)
    ):
        tree = tree.children[0]
    children = [_collapsed(c) if isinstance(c, lark.Tree) else c for c in tree.children]
    return lark.Tree(tree.data, children, tree.meta)


@cache
def _environment() -> celpy.Environment:
    """Built on first use: celpy's Environment raises the interpreter's recursion limit."""
    return celpy.Environment()
