"""A statement of reasons in the Transparency Database's shape (Appendix B mapping).

Built from the statement consentry issued and the case's non-personal answers only:
the facts are fixed texts, the source's identity is never sent, and the platform
unique ID is derived from the statement's own reference, which is never reused."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.cases.models import Case, Item, Notice, Queue, RequestType, Statement
from consentry.config import Settings

EU_EEA = (
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "IS",
    "LI",
    "NO",
)
_SOURCES = {
    RequestType.TRUSTED_FLAGGER.value: "SOURCE_TRUSTED_FLAGGER",
    RequestType.AUTHORITY_ORDER.value: "SOURCE_TYPE_OTHER_NOTIFICATION",
}


@cache
def schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("tdb_statement.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def validate(statement: dict[str, Any]) -> None:
    """Raises jsonschema.ValidationError naming the first field that breaks the rules."""
    jsonschema.validate(statement, schema())


def puid_of(statement: Statement) -> str:
    return f"consentry-{statement.reference}"


def _grounds(session: Session, case_id: int) -> set[str]:
    grounds: set[str] = set()
    for answers in session.scalars(select(Notice.answers).where(Notice.case_id == case_id)):
        grounds.update(answers.get("grounds") or [])
    return grounds


def _source(item: Item, case: Case) -> str:
    if item.found_by == "scan":
        return "SOURCE_VOLUNTARY"
    for request_type in case.request_types:
        if request_type in _SOURCES:
            return _SOURCES[request_type]
    return "SOURCE_ARTICLE_16"


def tdb_statement(*, session: Session, statement: Statement, settings: Settings) -> dict[str, Any]:
    case = session.get_one(Case, statement.case_id)
    item = session.get_one(Item, statement.item_id)
    body = statement.body
    synthetic = "ai_generated" in _grounds(session, case.id)
    minors = case.queue == Queue.RESTRICTED
    if minors:
        category = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
        keywords = ["KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"]
        if synthetic:
            keywords.append("KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE")
    else:
        category = "STATEMENT_CATEGORY_CYBER_VIOLENCE"
        keywords = ["KEYWORD_NON_CONSENSUAL_IMAGE_SHARING"]
        if synthetic:
            keywords.append("KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE")
    automated = body.get("automated_decision", False)
    return {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": settings.legal_ground[:500],
        "illegal_content_explanation": body["facts"][:2000],
        "content_type": [
            "CONTENT_TYPE_IMAGE",
            *(["CONTENT_TYPE_SYNTHETIC_MEDIA"] if synthetic else []),
        ],
        "category": category,
        "category_specification": keywords,
        "territorial_scope": list(EU_EEA),  # a removal, everywhere
        # The upload date is the platform's to know; the day consentry located it bounds it.
        "content_date": item.located_at.date().isoformat(),
        "application_date": statement.issued_at.date().isoformat(),
        "decision_facts": body["facts"][:5000],
        "source_type": _source(item, case),
        "automated_detection": "Yes" if body.get("automated_detection") else "No",
        "automated_decision": (
            "AUTOMATED_DECISION_FULLY" if automated else "AUTOMATED_DECISION_NOT_AUTOMATED"
        ),
        "puid": puid_of(statement),
    }
