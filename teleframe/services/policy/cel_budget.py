"""A budget for running custom rules: evaluation steps, with CPU time as a backstop.

The steps are counted inside celpy's public `Evaluator` (every node it visits, including each
pass of a comprehension), so the budget holds wherever the evaluation runs: a Celery worker,
the embedded worker thread, or the API thread trying a rule when a policy is saved. Steps are
deterministic, so a rule that fits on the worst-case check-in at save time fits the same way
at run time; the CPU-time deadline catches what steps do not measure (a slow machine, a costly
single step).
"""

from __future__ import annotations

import time
from typing import Any

import celpy
import lark

# For all of a practice's custom rules together, per check-in: about 0.1-0.2 s of CPU (a step
# is one node of the collapsed parse tree, or one pass of a comprehension).
STEPS_PER_CHECKIN = 10_000
CPU_SECONDS_PER_CHECKIN = 0.5
_CLOCK_EVERY = 64  # steps between readings of the thread's CPU clock


class BudgetExhausted(Exception):
    """The rules used up their budget; the evaluation that raised it is abandoned."""


class Budget:
    """Shared by every rule evaluated on one check-in."""

    def __init__(
        self, steps: int = STEPS_PER_CHECKIN, cpu_seconds: float = CPU_SECONDS_PER_CHECKIN
    ) -> None:
        self.steps = self.steps_left = steps
        self.deadline = time.thread_time() + cpu_seconds
        self._until_clock = _CLOCK_EVERY

    @property
    def spent(self) -> int:
        return min(self.steps, self.steps - self.steps_left)

    def spend(self, steps: int) -> None:
        self.steps_left -= steps
        if self.steps_left < 0:
            raise BudgetExhausted("step budget")
        self._until_clock -= steps
        if self._until_clock <= 0:
            self._until_clock = _CLOCK_EVERY
            if time.thread_time() > self.deadline:
                raise BudgetExhausted("CPU time budget")


class BudgetedEvaluator(celpy.Evaluator):
    """celpy's tree-walking evaluator, charging each visited node to a budget.

    Only public celpy names are used: `Evaluator`, its `visit`/`visit_children` (every node
    passes through one of them), `evaluate` and `sub_evaluator` (which builds the evaluator of
    a comprehension's body, so the body is charged to the same budget).
    """

    def __init__(self, ast: lark.Tree, activation: Any, budget: Budget) -> None:
        super().__init__(ast, activation)
        self.budget = budget

    def sub_evaluator(self, ast: lark.Tree) -> BudgetedEvaluator:
        return BudgetedEvaluator(ast, self.activation, self.budget)

    def evaluate(self, context: Any = None) -> Any:
        """Called with a context once per pass of a comprehension, which clones the activation:
        a step of its own."""
        if context:
            self.budget.spend(1)
        return super().evaluate(context)

    def visit(self, tree: lark.Tree) -> Any:
        self.budget.spend(1)
        return super().visit(tree)

    def visit_children(self, tree: lark.Tree) -> list[Any]:
        self.budget.spend(len(tree.children))
        return super().visit_children(tree)
