"""The request form's fields, turned into the same `NoticeIn` the API takes.

A browser post is hostile input like any other: every value is cut to its field's
limit and validated by the notice schema; what fails comes back as a message keyed
by the form field it belongs to, so the page can show it next to that field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from consentry.cases.models import RequestType
from consentry.cases.schemas import NoticeIn, NoticeUpdate
from consentry.cases.validation import missing_elements

MAX_HASHES = 4000  # a few photos' values, or a video's frames, one a second
MAX_FIELDS = MAX_HASHES + 100  # and the form's own fields
SINGLE = (
    "kind",
    "standing",
    "rep_name",
    "rep_organisation",
    "rep_role",
    "urls",
    "description",
    "explanation",
    "under_18",
    "email",
    "phone",
    "safe_channel",
    "language",
    "country",
    "signature_name",
)
TICKED = ("rep_authority", "good_faith", "accurate", "signed")
MULTIPLE = ("grounds", "intimacy", "do_not_contact", "hash")

# Where a schema or validation failure is shown: (form field, message key).
_FIELD_OF = {
    "signature": ("signature_name", "signature"),
    "locations": ("urls", "urls"),
    "hashes": ("photos", "hashes"),
    "good_faith": ("good_faith", "good_faith"),
    "contact": ("email", "contact"),
    "country": ("country", "country"),
    "representative": ("rep_name", "representative"),
}
_MISSING_OF = {"locations": ("urls", "locations")}


@dataclass
class RequestForm:
    """What was posted, kept for showing the form again (never the file bytes: none come)."""

    values: dict[str, str] = field(default_factory=dict)
    ticked: set[str] = field(default_factory=set)
    chosen: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # form field -> message key

    @classmethod
    def read(cls, form: FormData) -> RequestForm:
        values = {name: str(form.get(name) or "").strip()[:5000] for name in SINGLE}
        ticked = {name for name in TICKED if form.get(name)}
        chosen = {
            name: [str(v)[:200] for v in form.getlist(name)][:MAX_HASHES] for name in MULTIPLE
        }
        return cls(values, ticked, chosen)

    def hashes(self) -> list[dict[str, Any]]:
        """`signal_type:value[:quality[:photo[:seconds]]]` tokens, as the page writes them
        (photo: which chosen photo or video the value came from; seconds: a video frame's
        time). What does not parse is passed on as invalid, for the notice to refuse."""
        parsed = []
        for token in self.chosen.get("hash", []):
            signal_type, _, rest = token.partition(":")
            value, _, rest = rest.partition(":")
            quality, _, rest = rest.partition(":")
            photo, _, seconds = rest.partition(":")
            item: dict[str, Any] = {"signal_type": signal_type, "value": value}
            if quality:
                item["quality"] = int(quality) if quality.isdigit() else -1
            if photo:
                item["photo"] = int(photo) if photo.isdigit() and len(photo) < 7 else -1
            if seconds:
                item["t"] = _seconds(seconds)
            parsed.append(item)
        return parsed

    def locations(self) -> list[dict[str, str]]:
        urls = [line.strip() for line in self.values["urls"].splitlines() if line.strip()]
        found: list[dict[str, str]] = [{"url": url} for url in urls[:99]]
        if self.values["description"]:
            found.append({"description": self.values["description"][:2000]})
        return found

    def _optional(self, name: str) -> str | None:
        return self.values.get(name) or None

    def notice_fields(self) -> dict[str, Any]:
        """The fields a status-page update and a new request share."""
        return {
            "locations": self.locations(),
            "hashes": self.hashes(),
            "explanation": self._optional("explanation"),
        }

    def notice(self) -> dict[str, Any]:
        anonymous = self.values["kind"] == "block"
        data: dict[str, Any] = {
            **self.notice_fields(),
            "request_types": [
                RequestType.HASH_ONLY.value if anonymous else RequestType.DEPICTED_PERSON.value
            ],
            "good_faith": "good_faith" in self.ticked,
            "accurate": "accurate" in self.ticked,
            "grounds": self.chosen["grounds"],
            "intimacy": self.chosen["intimacy"],
            "under_18": self._optional("under_18"),
            "country": (self._optional("country") or "").upper() or None,
            "standing": self._optional("standing"),
        }
        if self.values["signature_name"] or "signed" in self.ticked:
            data["signature"] = {
                "name": self.values["signature_name"][:200],
                "signed": "signed" in self.ticked,
            }
        contact = {
            "email": self._optional("email"),
            "phone": self._optional("phone"),
            "safe_channel": self._optional("safe_channel"),
            "language": self._optional("language"),
            "do_not_contact": self.chosen["do_not_contact"][:5],
        }
        if any(contact.values()):
            data["contact"] = contact
        if self.values["standing"] == "representative":
            data["representative"] = {
                "name": self.values["rep_name"][:200],
                "organisation": self._optional("rep_organisation"),
                "role": self.values["rep_role"] or "other",
                "authority_attested": "rep_authority" in self.ticked,
            }
        return data

    def _schema_errors(self, error: ValidationError) -> None:
        for problem in error.errors():
            location = [str(part) for part in problem["loc"]]
            head = location[0] if location else ""
            if head == "contact" and len(location) > 1 and location[1] in SINGLE:
                self.errors.setdefault(
                    location[1], "email" if location[1] == "email" else "invalid"
                )
                continue
            form_field, key = _FIELD_OF.get(head, (head, "invalid"))
            self.errors.setdefault(form_field, key)

    def validated(self) -> NoticeIn | None:
        """The notice if it is complete and well formed, else None with `errors` filled."""
        try:
            notice = NoticeIn.model_validate(self.notice())
        except ValidationError as error:
            self._schema_errors(error)
            return None
        for missing in missing_elements(notice):
            form_field, key = _MISSING_OF.get(missing.field, _FIELD_OF.get(missing.field, ("", "")))
            if form_field:
                self.errors.setdefault(form_field, key)
        return None if self.errors else notice

    def update(self) -> NoticeUpdate | None:
        """More information for an existing case, or None with `errors` filled."""
        try:
            return NoticeUpdate.model_validate(self.notice_fields())
        except ValidationError as error:
            self._schema_errors(error)
            return None


def _seconds(text: str) -> float:
    try:
        return float(text[:12])
    except ValueError:
        return -1.0
