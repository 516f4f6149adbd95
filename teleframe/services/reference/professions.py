"""Professions as a controlled vocabulary, and the licence kinds that name them.

The vocabulary ships in `config/reference/professions.yaml`. A licence's `kind` is matched
without regard to case, spaces, dots or dashes ("lcsw-c", "LCSW C"), so existing records keep
working; a kind that names no profession is refused at the API with the known list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .files import read_reference


@dataclass(frozen=True)
class Kind:
    spelling: str  # as written in the vocabulary ("PMHNP-BC")
    professions: tuple[str, ...]  # the first is the default


@dataclass(frozen=True)
class Vocabulary:
    labels: Mapping[str, str]  # profession -> label
    kinds: Mapping[str, Kind]  # normalised kind -> Kind

    def kind(self, text: str | None) -> Kind | None:
        return self.kinds.get(normalise_kind(text or ""))

    def profession_of(self, kind: str | None, stated: str | None = None) -> str | None:
        """The profession a licence names: the stated one when the kind allows it, else the
        kind's default; None for a kind outside the vocabulary."""
        found = self.kind(kind)
        if found is None:
            return None
        return stated if stated in found.professions else found.professions[0]

    def known_kinds(self) -> list[str]:
        return sorted({kind.spelling for kind in self.kinds.values()}, key=str.upper)

    def professions_of(self, licences: Iterable[tuple[str | None, str | None]]) -> set[str]:
        found = {self.profession_of(kind, stated) for kind, stated in licences}
        return {profession for profession in found if profession}


def normalise_kind(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def _kinds(professions: Mapping[str, Any]) -> dict[str, Kind]:
    collected: dict[str, tuple[str, list[str]]] = {}
    for profession, entry in professions.items():
        for spelling in entry["kinds"]:
            key = normalise_kind(spelling)
            collected.setdefault(key, (spelling, []))[1].append(profession)
    return {key: Kind(spelling, tuple(names)) for key, (spelling, names) in collected.items()}


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    document = read_reference("professions.yaml")
    professions = document["professions"]
    return Vocabulary(
        labels={name: str(entry["label"]) for name, entry in professions.items()},
        kinds=_kinds(professions),
    )
