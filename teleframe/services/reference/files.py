"""Reading the reviewed data files shipped in the `config` package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import config


def config_path(*parts: str) -> Path:
    """A file shipped in the `config` package (regular, namespace or editable install)."""
    for entry in config.__path__:
        candidate = Path(entry, *parts)
        if candidate.exists():
            return candidate
    raise FileNotFoundError("/".join(("config", *parts)))


def read_reference(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        config_path("reference", name).read_text(encoding="utf-8")
    )
    return loaded
