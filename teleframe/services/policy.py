"""The practice's frame policy: a YAML or JSON document, validated, normalised and content-hashed.

`parse_policy` turns text into the normalised dict (every default filled in) that is stored as an
immutable version; `content_hash` names that version; `compile_policy` prepares it for
evaluation once (CEL custom rules compiled, lookups built) and caches the result by hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import celpy
import celpy.evaluation
import yaml
from celpy import celtypes
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .reference import config_path, load_reference

# celpy logs activations (the client's check-in) at debug level and evaluation failures at
# error level; neither may reach the logs, which must stay free of PHI.
logging.getLogger("celpy").setLevel(logging.CRITICAL)

SEVERITIES = ("block", "warn", "info")
PLACE_TYPES = ("home", "work", "school", "healthcare_facility", "vehicle", "public", "other")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


class PolicyError(ValueError):
    """A policy document that cannot be used; `.errors` name the path and line of each problem."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        summary = "; ".join(
            f"{e['path'] or '(document)'}"
            + (f" (line {e['line']})" if e["line"] else "")
            + f": {e['message']}"
            for e in errors
        )
        super().__init__(f"invalid policy: {summary}")


# --- schema -------------------------------------------------------------------------------


class StrictBoolean(fields.Boolean):
    """Only true and false; a policy saying `require_x: 1` or `"yes"` is a mistake."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false.")
        return value


class StrictInteger(fields.Integer):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("Must be a whole number.")
        return value


def _bool(default: bool) -> StrictBoolean:
    return StrictBoolean(load_default=default)


def _severity(default: str) -> fields.String:
    return fields.String(load_default=default, validate=validate.OneOf(SEVERITIES))


def _seconds(default: int, maximum: int = 86_400) -> StrictInteger:
    return StrictInteger(load_default=default, validate=validate.Range(0, maximum))


def _section(schema: type[Schema]) -> fields.Nested:
    return fields.Nested(schema, load_default=lambda: schema().load({}))


def _codes(default: list[str], pattern: re.Pattern[str]) -> fields.List:
    item = fields.String(validate=validate.Regexp(pattern, error="Not an ISO 3166 code."))
    return fields.List(item, load_default=lambda: list(default))


class JurisdictionRules(Schema):
    enabled = _bool(True)
    severity = _severity("block")
    unknown_severity = _severity("block")
    licensed_by_subdivision = _codes(["US", "CA"], _COUNTRY)
    check_license_expiry = _bool(True)
    accept_compacts = fields.List(fields.String(), load_default=lambda: ["PSYPACT"])
    compact_home_check = _bool(True)


class LocationRules(Schema):
    enabled = _bool(True)
    severity = _severity("block")
    require_subdivision = _bool(True)
    require_locality = _bool(False)
    require_address = _bool(False)
    require_place_type = _bool(True)


class PlaceRules(Schema):
    enabled = _bool(True)
    severity = _severity("block")
    unsafe_place_types = fields.List(
        fields.String(validate=validate.OneOf(PLACE_TYPES)),
        load_default=lambda: ["vehicle", "public"],
    )


class PrivacyRules(Schema):
    enabled = _bool(True)
    severity = _severity("warn")
    require_private_space = _bool(True)
    require_can_speak_freely = _bool(True)
    require_headphones = _bool(False)


class OthersPresentRules(Schema):
    enabled = _bool(True)
    require_answer = _bool(True)
    require_consent = _bool(True)
    consent_severity = _severity("block")
    flag_minors = _bool(True)
    minor_severity = _severity("warn")


class BackupRules(Schema):
    enabled = _bool(True)
    require_callback_phone = _bool(True)
    missing_severity = _severity("block")
    invalid_severity = _severity("block")
    phone_region = fields.String(
        load_default="client_country", validate=validate.OneOf(["client_country", "any"])
    )
    region_mismatch_severity = _severity("warn")
    require_emergency_contact = _bool(True)
    emergency_contact_severity = _severity("warn")
    emergency_contact_must_differ = _bool(True)


class ReadinessRules(Schema):
    enabled = _bool(True)
    severity = _severity("block")
    require_good_time = _bool(True)
    require_not_driving = _bool(True)
    require_identity_confirmation = _bool(False)


class CheckinWindowRules(Schema):
    enabled = _bool(True)
    opens_minutes_before_start = StrictInteger(load_default=60, validate=validate.Range(0, 10_080))
    closes_minutes_after_start = StrictInteger(load_default=15, validate=validate.Range(0, 1_440))
    early_severity = _severity("block")
    late_severity = _severity("warn")


class Rules(Schema):
    jurisdiction = _section(JurisdictionRules)
    location = _section(LocationRules)
    place = _section(PlaceRules)
    privacy = _section(PrivacyRules)
    others_present = _section(OthersPresentRules)
    backup = _section(BackupRules)
    readiness = _section(ReadinessRules)
    checkin_window = _section(CheckinWindowRules)


class ClientSettings(Schema):
    age_of_majority = StrictInteger(load_default=18, validate=validate.Range(14, 25))


class Disruption(Schema):
    reconnect_wait_seconds = _seconds(60)
    backup_plan_due_after_seconds = _seconds(120)
    suggest_reschedule_after_seconds = _seconds(900)

    @validates_schema
    def _ordered(self, data: dict[str, int], **kwargs: Any) -> None:
        if data["backup_plan_due_after_seconds"] < data["reconnect_wait_seconds"]:
            raise ValidationError(
                "Must not be shorter than reconnect_wait_seconds.",
                "backup_plan_due_after_seconds",
            )
        if data["suggest_reschedule_after_seconds"] < data["backup_plan_due_after_seconds"]:
            raise ValidationError(
                "Must not be shorter than backup_plan_due_after_seconds.",
                "suggest_reschedule_after_seconds",
            )


class CustomRule(Schema):
    id = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z0-9][a-z0-9_.-]{0,63}$", error="Use lower-case letters, digits, _ . or -."
        ),
    )
    enabled = _bool(True)
    expression = fields.String(required=True, validate=validate.Length(1, 4000))
    code = fields.String(
        load_default="CUSTOM_RULE",
        validate=validate.Regexp(r"^[A-Z][A-Z0-9_]{0,63}$", error="Use UPPER_SNAKE_CASE."),
    )
    severity = _severity("warn")
    field = fields.String(load_default=None, allow_none=True)
    message = fields.String(required=True, validate=validate.Length(1, 500))
    clinician_message = fields.String(load_default=None, allow_none=True)


class EmergencyOverride(Schema):
    emergency_number = fields.String(allow_none=True)
    crisis_line = fields.String(allow_none=True)
    source = fields.String(load_default="practice override")


class CompactOverride(Schema):
    full_name = fields.String()
    scope = fields.String(validate=validate.OneOf(["all_members", "per_state"]))
    home_must_be_member = StrictBoolean()
    members = fields.List(fields.String(validate=validate.Regexp(_JURISDICTION)))


class ReferenceOverrides(Schema):
    emergency = fields.Dict(
        keys=fields.String(validate=validate.Regexp(_JURISDICTION, error="Not an ISO 3166 code.")),
        values=fields.Nested(EmergencyOverride),
        load_default=dict,
    )
    compacts = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[A-Z][A-Z0-9_]*$")),
        values=fields.Nested(CompactOverride),
        load_default=dict,
    )


class PolicyDocument(Schema):
    version = StrictInteger(load_default=1, validate=validate.OneOf([1]))
    name = fields.String(load_default="Frame policy", validate=validate.Length(1, 200))
    rules = _section(Rules)
    client = _section(ClientSettings)
    disruption = _section(Disruption)
    custom_rules = fields.List(fields.Nested(CustomRule), load_default=list)
    reference_overrides = _section(ReferenceOverrides)


# --- CEL ----------------------------------------------------------------------------------


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
    """One CEL expression, parsed and transpiled to Python once.

    celpy's own runner re-executes the transpiled module on every call in globals shared by all
    threads, and logs failures with the activation (the client's check-in). Here the module is
    executed once, in private globals, and each call only applies its top-level expression.
    """

    def __init__(self, expression: str) -> None:
        env = celpy.Environment(runner_class=celpy.CompiledRunner)
        transpiler = env.program(env.compile(expression)).tp  # type: ignore[attr-defined]
        *definitions, top = transpiler.source_text.splitlines()
        if not top.startswith("CEL = "):
            raise CelError("unsupported expression shape")
        # The last statement evaluates the expression against `base_activation`; make it a
        # function of that name instead, so it runs per call with the caller's activation.
        source = "\n".join([*definitions, "__cel__ = lambda base_activation: " + top[6:]])
        namespace = dict(celpy.evaluation.result.__globals__)
        exec(compile(source, "<cel>", "exec"), namespace)  # noqa: S102 - celpy's transpiled code
        self._expression = namespace["__cel__"]

    def __call__(self, activation: Any) -> Any:
        try:
            value = self._expression(activation)
        except Exception as exc:
            raise CelError(type(exc).__name__) from None
        if isinstance(value, celpy.evaluation.CELEvalError):
            raise CelError(str(value.args[0])[:120] if value.args else "evaluation error")
        return value


SAMPLE_CHECKIN: dict[str, Any] = {
    "location": {
        "country": "US",
        "subdivision": "US-CA",
        "locality": "Sample",
        "address": "1 Sample St",
        "place_type": "home",
        "same_as_last_time": True,
    },
    "privacy": {"private_space": True, "can_speak_freely": True, "headphones": True},
    "others_present": [
        {"relationship": "partner", "minor": False, "client_consents_to_hear": True}
    ],
    "backup": {
        "callback_phone": "+15105550123",
        "emergency_contact": {"name": "A", "relationship": "sibling", "phone": "+14155550188"},
    },
    "readiness": {"good_time_to_proceed": True, "not_driving": True, "identity_confirmed": True},
}
_SAMPLE_TIME = datetime(2026, 1, 5, 17, 0, tzinfo=UTC)
SAMPLE_SESSION: dict[str, Any] = {
    "scheduled_start": _SAMPLE_TIME,
    "scheduled_end": _SAMPLE_TIME,
    "submitted_at": _SAMPLE_TIME,
    "minutes_until_start": 10,
    "duration_minutes": 50,
    "client_minor": False,
}


@lru_cache(maxsize=256)
def _check_expression(expression: str) -> tuple[CelProgram | None, str | None]:
    """Compile, then run once on a fully answered check-in: typos in field names and results
    that are not true/false show up when the policy is saved, not when a client checks in."""
    try:
        program = CelProgram(expression)
    except celpy.CELParseError as exc:
        return None, f"CEL syntax error: {str(exc.args[0]).splitlines()[0][:200]}"
    except Exception as exc:
        return None, f"CEL expression cannot be compiled ({type(exc).__name__})."
    try:
        result = program(cel_activation(SAMPLE_CHECKIN, SAMPLE_SESSION))
    except CelError as exc:
        return None, f"CEL expression fails on a fully answered check-in: {exc}"
    if not isinstance(result, bool | celtypes.BoolType):
        return None, "CEL expression must evaluate to true or false."
    return program, None


# --- parsing and errors -------------------------------------------------------------------

PathKey = tuple[str | int, ...]


def _format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


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


def _line_for(path: PathKey, lines: dict[PathKey, int]) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def _flatten(messages: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema" or (
                key in ("key", "value") and path[-2:-1] in (("emergency",), ("compacts",))
            ):
                yield from _flatten(value, path)
            else:
                yield from _flatten(value, (*path, key))
    elif isinstance(messages, list):
        for item in messages:
            yield from _flatten(item, path)
    else:
        yield path, str(messages)


def _error(path: PathKey, message: str, lines: dict[PathKey, int]) -> dict[str, Any]:
    return {"path": _format_path(path), "line": _line_for(path, lines), "message": message}


MAX_POLICY_CHARS = 200_000


def _refuse_aliases(text: str) -> None:
    """YAML aliases can expand a small upload into an enormous document; policies need none."""
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
            line = token.start_mark.line + 1
            message = "YAML anchors and aliases are not supported in a policy."
            raise PolicyError([{"path": "", "line": line, "message": message}])


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
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(
            [{"path": "", "line": line, "message": f"Not valid YAML or JSON: {problem}"}]
        ) from None
    if node is not None:
        _walk_nodes(node, (), lines, dupes)
    return data, lines, dupes


def _semantic_errors(policy: dict[str, Any]) -> Iterator[tuple[PathKey, str]]:
    reference = load_reference(policy["reference_overrides"])
    accepted = policy["rules"]["jurisdiction"]["accept_compacts"]
    for index, name in enumerate(accepted):
        key = reference.compact_key(name)
        if key is None:
            known = ", ".join(sorted(reference.compacts))
            yield (
                ("rules", "jurisdiction", "accept_compacts", index),
                f"Unknown compact (known: {known}).",
            )
        else:
            accepted[index] = key
    seen: set[str] = set()
    for index, rule in enumerate(policy["custom_rules"]):
        if rule["id"] in seen:
            yield ("custom_rules", index, "id"), "Duplicate custom rule id."
        seen.add(rule["id"])
        if rule["clinician_message"] is None:
            rule["clinician_message"] = rule["message"]
        _, problem = _check_expression(rule["expression"])
        if problem:
            yield ("custom_rules", index, "expression"), problem


def validate_policy(data: Any, lines: dict[PathKey, int] | None = None) -> dict[str, Any]:
    """A policy document (already parsed) -> the normalised policy; raises PolicyError."""
    lines = lines or {}
    if not isinstance(data, dict):
        raise PolicyError([_error((), "The policy must be a mapping of sections.", lines)])
    try:
        policy: dict[str, Any] = PolicyDocument().load(data)
    except ValidationError as exc:
        errors = [_error(path, message, lines) for path, message in _flatten(exc.messages)]
        raise PolicyError(errors) from None
    errors = [_error(path, message, lines) for path, message in _semantic_errors(policy)]
    if errors:
        raise PolicyError(errors)
    policy["rules"]["jurisdiction"]["accept_compacts"] = sorted(
        set(policy["rules"]["jurisdiction"]["accept_compacts"])
    )
    return policy


def parse_policy(text: str) -> dict[str, Any]:
    """YAML or JSON text -> the validated, normalised policy (every default filled in)."""
    if not text.strip():
        raise PolicyError([{"path": "", "line": None, "message": "The policy document is empty."}])
    if len(text) > MAX_POLICY_CHARS:
        message = f"The policy document is longer than {MAX_POLICY_CHARS} characters."
        raise PolicyError([{"path": "", "line": None, "message": message}])
    data, lines, dupes = _read_document(text)
    if dupes:
        raise PolicyError(
            [
                {"path": _format_path(p), "line": line, "message": "Duplicate key."}
                for p, line in dupes
            ]
        )
    return validate_policy(data, lines)


def canonical_json(policy: dict[str, Any]) -> str:
    return json.dumps(policy, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(policy: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(policy).encode("utf-8")).hexdigest()


def default_policy_text() -> str:
    return config_path("policy", "default.yaml").read_text(encoding="utf-8")


# --- compiled form ------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledRule:
    id: str
    code: str
    severity: str
    field: str | None
    message: str
    clinician_message: str
    rule: str
    program: Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class CompiledPolicy:
    policy: dict[str, Any]
    policy_hash: str
    rules: dict[str, dict[str, Any]]
    unsafe_places: frozenset[str]
    licensed_by_subdivision: frozenset[str]
    accept_compacts: frozenset[str]
    age_of_majority: int
    custom_rules: tuple[CompiledRule, ...]


def _compile_rules(policy: dict[str, Any]) -> tuple[CompiledRule, ...]:
    compiled = []
    for index, rule in enumerate(policy["custom_rules"]):
        if not rule["enabled"]:
            continue
        program, problem = _check_expression(rule["expression"])
        if program is None:
            raise PolicyError(
                [
                    {
                        "path": f"custom_rules[{index}].expression",
                        "line": None,
                        "message": str(problem),
                    }
                ]
            )
        compiled.append(
            CompiledRule(
                id=rule["id"],
                code=rule["code"],
                severity=rule["severity"],
                field=rule["field"],
                message=rule["message"],
                clinician_message=rule["clinician_message"] or rule["message"],
                rule=f"custom_rules.{rule['id']}",
                program=program,
            )
        )
    return tuple(compiled)


@lru_cache(maxsize=64)
def _compile(digest: str, canonical: str) -> CompiledPolicy:
    policy = validate_policy(json.loads(canonical))
    rules = policy["rules"]
    return CompiledPolicy(
        policy=policy,
        policy_hash=digest,
        rules=rules,
        unsafe_places=frozenset(rules["place"]["unsafe_place_types"]),
        licensed_by_subdivision=frozenset(rules["jurisdiction"]["licensed_by_subdivision"]),
        accept_compacts=frozenset(rules["jurisdiction"]["accept_compacts"]),
        age_of_majority=policy["client"]["age_of_majority"],
        custom_rules=_compile_rules(policy),
    )


def compile_policy(policy: dict[str, Any]) -> CompiledPolicy:
    """Prepare a normalised policy for evaluation; cached by content hash.

    The policy is re-validated on a cache miss, so a stored version that no longer validates
    fails here rather than half-way through an evaluation.
    """
    canonical = canonical_json(policy)
    digest = "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return _compile(digest, canonical)
