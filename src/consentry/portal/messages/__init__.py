"""The portal's message catalogue: one TOML file per language, English as the fallback.

Templates call `t("section.key", name=value)`; a key missing from every catalogue is
an error at render time, so a typo never reaches a person in crisis as a blank."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

DEFAULT_LANGUAGE = "en"
Translator = Callable[..., str]


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


@cache
def catalogue(language: str) -> dict[str, str]:
    """The messages of `language`, English filling any gap."""
    folder = resources.files(__package__)
    english = _flatten(tomllib.loads(folder.joinpath("en.toml").read_text("utf-8")))
    if language == DEFAULT_LANGUAGE:
        return english
    own = _flatten(tomllib.loads(folder.joinpath(f"{language}.toml").read_text("utf-8")))
    return {**english, **own}


@cache
def languages() -> frozenset[str]:
    folder = resources.files(__package__)
    return frozenset(
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )


def negotiate(accept_language: str | None) -> str:
    """The first language in an Accept-Language header that we have, else English."""
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        if parameters.strip().startswith("q="):
            try:
                weight = float(parameters.strip()[2:])
            except ValueError:
                continue
        ranked.append((-weight, position, tag.strip().lower()))
    available = languages()
    for _, _, tag in sorted(ranked):
        for candidate in (tag, tag.split("-")[0]):
            if candidate in available:
                return candidate
    return DEFAULT_LANGUAGE


def translator(language: str) -> Translator:
    messages = catalogue(language)

    def t(key: str, **values: object) -> str:
        text = messages[key]
        return text.format(**values) if values else text

    return t
