"""The practice's frame policy: a YAML or JSON document, validated, normalised and content-hashed.

`parse_policy` turns text into the normalised dict (every default filled in) that is stored as an
immutable version; `content_hash` names that version; `compile_policy` prepares it for
evaluation once (CEL custom rules compiled, lookups built) and caches the result by hash.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .document import (
    ClientSettings,
    CompactOverride,
    CustomRule,
    Disruption,
    EmergencyOverride,
    PolicyDocument,
    ReferenceOverrides,
    default_policy_text,
)
from .errors import PathKey, PolicyError
from .fields import SEVERITIES, StrictBoolean, StrictInteger
from .hashing import canonical_json, content_hash
from .parsing import MAX_POLICY_CHARS, parse_policy
from .rules import (
    PLACE_TYPES,
    BackupRules,
    CheckinWindowRules,
    JurisdictionRules,
    LocationRules,
    OthersPresentRules,
    PlaceRules,
    PrivacyRules,
    ReadinessRules,
    Rules,
    checkin_window,
)
from .validation import validate_policy

if TYPE_CHECKING:
    from .cel import CelError, CelProgram, cel_activation, to_cel
    from .compiled import CompiledPolicy, compile_policy
    from .custom_rules import SAMPLE_CHECKIN, SAMPLE_SESSION, CompiledRule

# CEL (celpy, lark and pendulum: about 6 MB of a process) loads on first use: the API process
# needs it only when a policy with custom rules is saved, the worker when it compiles one.
_CEL_NAMES = {
    **dict.fromkeys(("CelError", "CelProgram", "cel_activation", "to_cel"), ".cel"),
    **dict.fromkeys(("CompiledPolicy", "compile_policy"), ".compiled"),
    **dict.fromkeys(("SAMPLE_CHECKIN", "SAMPLE_SESSION", "CompiledRule"), ".custom_rules"),
}


def __getattr__(name: str) -> Any:
    if name not in _CEL_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_CEL_NAMES[name], __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "MAX_POLICY_CHARS",
    "PLACE_TYPES",
    "SAMPLE_CHECKIN",
    "SAMPLE_SESSION",
    "SEVERITIES",
    "BackupRules",
    "CelError",
    "CelProgram",
    "CheckinWindowRules",
    "ClientSettings",
    "CompactOverride",
    "CompiledPolicy",
    "CompiledRule",
    "CustomRule",
    "Disruption",
    "EmergencyOverride",
    "JurisdictionRules",
    "LocationRules",
    "OthersPresentRules",
    "PathKey",
    "PlaceRules",
    "PolicyDocument",
    "PolicyError",
    "PrivacyRules",
    "ReadinessRules",
    "ReferenceOverrides",
    "Rules",
    "StrictBoolean",
    "StrictInteger",
    "canonical_json",
    "cel_activation",
    "checkin_window",
    "compile_policy",
    "content_hash",
    "default_policy_text",
    "parse_policy",
    "to_cel",
    "validate_policy",
]
