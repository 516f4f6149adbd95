"""Static limits on a custom rule's parsed CEL, checked when the policy is saved.

A rule sees only the check-in and the session: every name must be `checkin`, `session`, a
comprehension variable or a CEL type; fields are selected only on those; functions and macros
come from a fixed list (celpy's non-standard `reduce` and `min` can grow values without bound);
names beginning with `_` never resolve (they reach Python attributes in celpy). Comprehensions
nest at most two deep, so a rule's cost grows at most with the square of a list's length.
"""

from __future__ import annotations

from collections.abc import Iterator

import lark

MAX_NODES = 250  # operators, names and literals, not counting the grammar's pass-through levels
MAX_DEPTH = 200  # levels of the parse tree; keeps evaluation far from Python's recursion limit
MAX_COMPREHENSION_NESTING = 2
MAX_LITERAL_ITEMS = 50
ROOTS = frozenset({"checkin", "session"})
TYPE_NAMES = frozenset(
    {"bool", "bytes", "double", "int", "list", "map", "null_type", "string", "type", "uint"}
)
MACROS = frozenset({"all", "exists", "exists_one", "filter", "map"})
FUNCTIONS = frozenset(
    {"has", "size", "int", "uint", "double", "string", "bool", "bytes", "timestamp", "duration"}
    | {"type", "dyn", "matches", "contains", "startsWith", "endsWith"}
)
METHODS = MACROS | frozenset(
    {"size", "contains", "startsWith", "endsWith", "matches", "getDate", "getDayOfMonth"}
    | {"getDayOfWeek", "getDayOfYear", "getFullYear", "getHours", "getMilliseconds"}
    | {"getMinutes", "getMonth", "getSeconds"}
)
_REFUSED_FORMS = {
    "dot_ident": "leading-dot names are not supported",
    "dot_ident_arg": "leading-dot names are not supported",
    "member_object": "message construction is not supported",
}


class CelLimitError(ValueError):
    """The expression breaks a limit; the message says which, in words for the policy author."""


def _children(tree: lark.Tree) -> Iterator[lark.Tree]:
    return (child for child in tree.children if isinstance(child, lark.Tree))


def _token(tree: lark.Tree, index: int = 0) -> str:
    return str(tree.children[index])


def _unwrap(tree: lark.Tree) -> lark.Tree:
    """The node under any pass-through grammar levels (expr -> ... -> member -> primary)."""
    while tree.data not in ("ident", "member_dot", "member_index", "member_dot_arg"):
        children = tree.children
        if len(children) != 1 or not isinstance(children[0], lark.Tree):
            break
        tree = children[0]
    return tree


def _field_root(tree: lark.Tree) -> lark.Tree:
    """Follow `a.b[c].d` back to `a`."""
    tree = _unwrap(tree)
    while tree.data in ("member_dot", "member_index"):
        tree = _unwrap(tree.children[0])
    return tree


def _is_pass_through(tree: lark.Tree) -> bool:
    return len(tree.children) == 1 and isinstance(tree.children[0], lark.Tree)


class _Checker:
    def __init__(self) -> None:
        self.nodes = 0

    def check(self, tree: lark.Tree, scope: frozenset[str], depth: int, nesting: int) -> None:
        if depth > MAX_DEPTH:
            raise CelLimitError(f"The expression nests more than {MAX_DEPTH} levels deep.")
        if not _is_pass_through(tree):
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise CelLimitError(f"The expression has more than {MAX_NODES} parts.")
        handler = getattr(self, "_" + tree.data, None)
        if tree.data in _REFUSED_FORMS:
            raise CelLimitError(f"Not allowed: {_REFUSED_FORMS[tree.data]}.")
        if handler is not None:
            handler(tree, scope, depth, nesting)
            return
        for child in _children(tree):
            self.check(child, scope, depth + 1, nesting)

    def _ident(self, tree: lark.Tree, scope: frozenset[str], depth: int, nesting: int) -> None:
        name = _token(tree)
        _name_allowed(name)
        if name not in scope and name not in ROOTS and name not in TYPE_NAMES:
            raise CelLimitError(f"Unknown name '{name}': rules may read only checkin and session.")

    def _member_dot(self, tree: lark.Tree, scope: frozenset[str], depth: int, nesting: int) -> None:
        _name_allowed(_token(tree, 1))
        root = _field_root(tree)
        if root.data == "ident":
            self._ident(root, scope, depth, nesting)
        if root.data != "ident" or _token(root) in TYPE_NAMES - scope:
            raise CelLimitError(
                "Fields may be read only from checkin, session or a comprehension variable."
            )
        self.check(tree.children[0], scope, depth + 1, nesting)

    def _ident_arg(self, tree: lark.Tree, scope: frozenset[str], depth: int, nesting: int) -> None:
        name = _token(tree)
        _name_allowed(name)
        if name not in FUNCTIONS:
            raise CelLimitError(f"Unknown function '{name}'.")
        for child in _children(tree):
            self.check(child, scope, depth + 1, nesting)

    def _member_dot_arg(
        self, tree: lark.Tree, scope: frozenset[str], depth: int, nesting: int
    ) -> None:
        target, method = tree.children[0], _token(tree, 1)
        _name_allowed(method)
        if method not in METHODS:
            raise CelLimitError(f"Unknown function '{method}'.")
        self.check(target, scope, depth + 1, nesting)
        arg_list = tree.children[2] if len(tree.children) > 2 else None
        args = list(_children(arg_list)) if isinstance(arg_list, lark.Tree) else []
        if method not in MACROS:
            for arg in args:
                self.check(arg, scope, depth + 1, nesting)
            return
        if nesting + 1 > MAX_COMPREHENSION_NESTING:
            raise CelLimitError(
                f"Comprehensions ({', '.join(sorted(MACROS))}) may nest at most "
                f"{MAX_COMPREHENSION_NESTING} deep."
            )
        variable = _unwrap(args[0]) if len(args) == 2 else None
        if variable is None or variable.data != "ident":
            raise CelLimitError(f"'{method}' takes a variable name and an expression.")
        _name_allowed(_token(variable))
        self.check(args[1], scope | {_token(variable)}, depth + 1, nesting + 1)

    def _list_lit(self, tree: lark.Tree, scope: frozenset[str], depth: int, nesting: int) -> None:
        self._literal_items(tree, 1)
        for child in _children(tree):
            self.check(child, scope, depth + 1, nesting)

    def _map_lit(self, tree: lark.Tree, scope: frozenset[str], depth: int, nesting: int) -> None:
        self._literal_items(tree, 2)
        for child in _children(tree):
            self.check(child, scope, depth + 1, nesting)

    @staticmethod
    def _literal_items(tree: lark.Tree, per_item: int) -> None:
        items = sum(len(list(_children(child))) for child in _children(tree)) // per_item
        if items > MAX_LITERAL_ITEMS:
            raise CelLimitError(
                f"List and map literals may hold at most {MAX_LITERAL_ITEMS} items."
            )


def _name_allowed(name: str) -> None:
    if name.startswith("_"):
        raise CelLimitError(f"Names beginning with '_' are not allowed ('{name}').")


def check_limits(ast: lark.Tree) -> None:
    """Raise CelLimitError when the parsed expression breaks one of the limits above."""
    _Checker().check(ast, frozenset(), 0, 0)
