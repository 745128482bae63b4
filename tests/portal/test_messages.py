"""The message catalogue and language choice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consentry.portal import messages
from consentry.portal.messages import catalogue, negotiate, translator

TEMPLATES = Path(messages.__file__).parents[1] / "templates"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("fr-FR,fr;q=0.9", "en"),
        ("en-GB,en;q=0.8", "en"),
        ("x;q=abc", "en"),
    ],
)
def test_unknown_languages_fall_back_to_english(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_every_key_a_template_names_is_in_the_catalogue() -> None:
    english = catalogue("en")
    named = set()
    for template in TEMPLATES.glob("*.html"):
        found = re.findall(r"""\bt\(["']([a-z_.0-9]+)["']""", template.read_text())
        named |= {key for key in found if not key.endswith((".", "_"))}  # prefixes end so
    assert named
    assert named <= set(english)


def test_placeholders_are_filled() -> None:
    assert "48 hours" in translator("en")("home.when", hours=48)
