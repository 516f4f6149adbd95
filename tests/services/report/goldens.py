"""Golden files: compared exactly; rewritten only when TELEFRAME_UPDATE_GOLDEN=1 is set."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).parent / "golden"


def assert_matches_golden(name: str, data: Any) -> None:
    path = GOLDEN_DIR / name
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("TELEFRAME_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert data == expected, f"{name} differs from its golden file; see {path}"
