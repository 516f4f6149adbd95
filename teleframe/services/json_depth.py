"""How deeply a JSON text nests, found without parsing it: Python's json module recurses once
per level, so a body of 1,000 brackets would raise RecursionError inside the parser."""

from __future__ import annotations

MAX_DEPTH = 32  # teleframe's deepest document (a policy) nests 6 levels; the rest, 4


def too_deep(text: bytes, limit: int = MAX_DEPTH) -> bool:
    """True when `text` opens more than `limit` arrays or objects at once (outside strings)."""
    if text.count(b"[") + text.count(b"{") <= limit:  # the usual case, at C speed
        return False
    depth = 0
    in_string = escaped = False
    for byte in text:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False
