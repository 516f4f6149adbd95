"""Properties of the custom-rule budget over generated CEL: a rule accepted at save runs
within the budget on the worst-case check-in, and on any check-in a rule either gives its
verdict or fails closed."""

from __future__ import annotations

import copy
from typing import Any

import celpy
from celpy import CELEvalError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from teleframe.services.evaluation import evaluate
from teleframe.services.evaluation.custom import CUSTOM_RULE_ERROR
from teleframe.services.policy import SAMPLE_SESSION, cel_activation, compile_policy, parse_policy
from teleframe.services.policy.cel import CelProgram
from teleframe.services.policy.cel_budget import Budget, BudgetedEvaluator
from teleframe.services.policy.cel_limits import CelLimitError
from teleframe.services.policy.custom_rules import check_expression
from teleframe.services.policy.worst_case import WORST_CASE_CHECKIN
from teleframe.services.reference import load_reference

from .conftest import START, clinician, complete_checkin, session
from .test_custom_rule_limits import policy_text

REFERENCE = load_reference()
check_expression("true")  # celpy raises the recursion limit once, before hypothesis watches it
PEOPLE = "checkin.others_present"
BOOLEANS = [
    "true",
    "checkin.privacy.headphones",
    "has(checkin.location.address)",
    'checkin.location.place_type == "home"',
    "session.duration_minutes < 53",
    f"size({PEOPLE}) > 3",
    "checkin.location.address.matches('^[0-9]+')",
]
LISTS = [PEOPLE, f"({PEOPLE} + {PEOPLE})", "[1, 2, 3]", f"{PEOPLE}.filter(p, p.minor)"]


def _comprehension(draw: Any, body: st.SearchStrategy[str], depth: int) -> str:
    macro = draw(st.sampled_from(["exists", "all", "exists_one"]))
    source = draw(st.sampled_from(LISTS))
    inner = draw(body)
    if source != "[1, 2, 3]" and draw(st.booleans()):
        inner = f"(v{depth}.minor || {inner})"
    return f"{source}.{macro}(v{depth}, {inner})"


@st.composite
def expressions(draw: Any, depth: int = 0) -> str:
    """Boolean CEL over the check-in, some within the limits and some past them (comprehensions
    up to four deep, lists grown by concatenation)."""
    if depth >= 4 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(BOOLEANS))
    inner = expressions(depth + 1)
    shape = draw(st.sampled_from(["and", "or", "not", "if", "comprehension"]))
    if shape == "and":
        return f"({draw(inner)} && {draw(inner)})"
    if shape == "or":
        return f"({draw(inner)} || {draw(inner)})"
    if shape == "not":
        return f"!{draw(inner)}"
    if shape == "if":
        return f"({draw(inner)} ? {draw(inner)} : {draw(inner)})"
    return _comprehension(draw, inner, depth)


def _people(draw: Any) -> list[dict[str, Any]]:
    person = st.fixed_dictionaries(
        {"relationship": st.just("friend"), "minor": st.booleans(),
         "client_consents_to_hear": st.booleans()}
    )  # fmt: skip
    return draw(st.lists(person, max_size=20))


@st.composite
def checkins(draw: Any) -> dict[str, Any]:
    checkin = complete_checkin()
    checkin["others_present"] = _people(draw)
    checkin["privacy"]["headphones"] = draw(st.booleans())
    if draw(st.booleans()):
        checkin["location"]["address"] = None
    return checkin


def _run(expression: str, checkin: dict[str, Any]) -> Any:
    policy = compile_policy(parse_policy(policy_text(expression)))
    return evaluate(
        copy.deepcopy(checkin), session(), clinician(), policy, REFERENCE, submitted_at=START
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions())
def test_an_accepted_rule_runs_within_the_budget_on_the_worst_case_checkin(expr: str) -> None:
    problem = check_expression(expr).problem
    event("refused: " + problem.split(":")[0][:40] if problem else "accepted")
    if problem:
        return  # refused at save: nothing can run
    result = _run(expr, WORST_CASE_CHECKIN)
    assert [f for f in result.findings if f.code == CUSTOM_RULE_ERROR] == []


def _value(evaluator: Any) -> Any:
    try:
        return evaluator.evaluate()
    except (CELEvalError, TypeError, KeyError, ValueError) as exc:
        return type(exc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), checkins())
def test_the_collapsed_parse_tree_gives_the_same_value(expr: str, checkin: dict[str, Any]) -> None:
    """Rules run on the parse tree without its pass-through levels; celpy must agree."""
    try:
        program = CelProgram(expr)
    except CelLimitError:
        return
    activation = cel_activation(checkin, SAMPLE_SESSION)
    full = celpy.Environment().compile(expr)
    huge = 10**9
    collapsed = _value(BudgetedEvaluator(program.ast, activation, Budget(huge, huge)))
    assert collapsed == _value(BudgetedEvaluator(full, activation, Budget(huge, huge)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), checkins())
def test_on_any_checkin_a_rule_gives_its_verdict_or_fails_closed(
    expr: str, checkin: dict[str, Any]
) -> None:
    if check_expression(expr).program is None:
        return
    result = _run(expr, checkin)
    failed = [f for f in result.findings if f.code == CUSTOM_RULE_ERROR]
    assert all(f.severity == "block" for f in failed)
    if failed:
        assert result.status == "blocked"
