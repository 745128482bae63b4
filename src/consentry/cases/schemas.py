"""What a notice carries (IN-10 to IN-20) and what the case API answers.

Every field is optional at this level: an incomplete notice is stored and answered
with what is missing (see `validation`); only malformed values are refused outright.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, EmailStr, Field, field_validator

from consentry.cases.models import RequestType
from consentry.hashing.pdq import InvalidHash
from consentry.signals.registry import SignalName, kind_of, normalise_value

Text200 = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    # Unknown fields are refused, not ignored: an image or a stray field never slips in.
    model_config = ConfigDict(extra="forbid")


class Standing(StrEnum):
    SELF = "self"
    REPRESENTATIVE = "representative"


class Ground(StrEnum):
    SHARED_WITHOUT_CONSENT = "shared_without_consent"
    AI_GENERATED = "ai_generated"  # a label for routing and reporting, never a condition
    TAKEN_WITHOUT_CONSENT = "taken_without_consent"
    THREAT_TO_SHARE = "threat_to_share"
    OTHER = "other"


class Intimacy(StrEnum):
    INTIMATE_PARTS = "intimate_parts"  # exposed genitals, pubic area, buttocks or breasts
    SEXUAL_ACTIVITY = "sexual_activity"
    UNDERWEAR = "underwear_intimate_context"
    TOILETING = "toileting"


class AgeAnswer(StrEnum):
    """IN-16: was the person under 18 when the image was made?"""

    YES = "yes"
    NO = "no"
    NOT_SURE = "not_sure"

    @property
    def possible_minor(self) -> bool:
        return self is not AgeAnswer.NO


class Signature(Strict):
    name: Text200 = Field(description="The typed full name (or the name they are known by).")
    signed: bool = Field(description="The explicit 'I sign this request' control.")


class Location(Strict):
    url: AnyHttpUrl | None = None
    content_id: Text200 | None = Field(default=None, description="The platform's content ID.")
    description: Annotated[str, Field(max_length=2000)] | None = Field(
        default=None, description="E.g. the uploader's handle and which item (IN-11)."
    )


class HashIn(Strict):
    signal_type: SignalName
    value: str = Field(max_length=64)
    quality: int | None = Field(default=None, ge=0, le=100)
    photo: int | None = Field(
        default=None,
        ge=0,
        le=100_000,
        description="Which of the request's photos or videos the value came from: one "
        "file's values (PDQ, windows or video frames, digests) are kept together and "
        "withdrawn together.",
    )
    t: float | None = Field(
        default=None, ge=0, le=86_400, description="A video frame's time (vpdq), in seconds."
    )

    @field_validator("value")
    @classmethod
    def _normal(cls, value: str) -> str:
        return value.strip().lower()


class Contact(Strict):
    email: EmailStr | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    safe_channel: Annotated[str, Field(max_length=200)] | None = None
    language: Annotated[str, Field(max_length=35)] | None = None
    do_not_contact: list[Annotated[str, Field(max_length=40)]] = Field(default=[], max_length=5)


class RepresentativeRole(StrEnum):
    HELPLINE = "helpline"
    LAWYER = "lawyer"
    FAMILY = "family"
    OTHER = "other"


class Representative(Strict):
    name: Text200
    organisation: Annotated[str, Field(max_length=200)] | None = None
    role: RepresentativeRole
    authority_attested: bool = False


class Authority(Strict):
    """AC-08: an order from a competent authority (DSA Art. 9, VAW Art. 23)."""

    issuer: Text200
    legal_basis: Annotated[str, Field(min_length=1, max_length=500)]
    territorial_scope: Annotated[str, Field(max_length=200)] | None = None
    reference: Annotated[str, Field(max_length=200)] | None = None


class NoticeIn(Strict):
    request_types: list[RequestType] = Field(
        default=[RequestType.DEPICTED_PERSON], min_length=1, max_length=len(RequestType)
    )
    signature: Signature | None = None
    locations: list[Location] = Field(default=[], max_length=100)
    # A few photos' values, or a video's frames (one a second).
    hashes: list[HashIn] = Field(default=[], max_length=4000)
    good_faith: bool = Field(
        default=False,
        description="A good-faith belief that the depiction was published without consent.",
    )
    accurate: bool = Field(default=False, description="The information is accurate and complete.")
    grounds: list[Ground] = Field(default=[], max_length=len(Ground))
    explanation: Annotated[str, Field(max_length=5000)] | None = None
    contact: Contact | None = None
    standing: Standing | None = None
    representative: Representative | None = None
    intimacy: list[Intimacy] = Field(default=[], max_length=len(Intimacy))
    under_18: AgeAnswer | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    authority: Authority | None = None

    @field_validator("hashes")
    @classmethod
    def _valid_hashes(cls, hashes: list[HashIn]) -> list[HashIn]:
        for position, item in enumerate(hashes):
            try:
                normalise_value(item.signal_type, item.value)
            except InvalidHash as error:
                raise ValueError(f"hashes[{position}]: {error}") from None
            if kind_of(item.signal_type).timed and (item.t is None or item.photo is None):
                raise ValueError(
                    f"hashes[{position}]: a {item.signal_type} value is a video frame: give"
                    " its time (t) and which video it came from (photo)"
                )
        return hashes


class NoticeUpdate(NoticeIn):
    """More information for an existing case (the requester's PIN may ride in the body)."""

    request_types: list[RequestType] = Field(default=[], max_length=len(RequestType))
    pin: str | None = Field(default=None, max_length=64)


class MissingField(BaseModel):
    field: str
    message: str


class DeadlineOut(BaseModel):
    regime: str
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None
    stop_reason: str | None
    breached: bool


class Receipt(BaseModel):
    """The answer to a notice: keep the reference and PIN; the PIN cannot be shown again."""

    reference: str
    pin: str
    status: str
    valid: bool
    received_at: datetime
    valid_at: datetime | None
    missing: list[MissingField]
    warnings: list[str]
    queue: str
    deadlines: list[DeadlineOut]
    pin_recovery: str
    signposts: list[str]


class ItemOut(BaseModel):
    id: int
    content_id: str | None
    url: str | None
    found_by: str
    status: str
    located_at: datetime
    due_at: datetime | None


class AppealOut(BaseModel):
    id: int
    appellant: str
    grounds: str
    status: str
    filed_at: datetime
    decided_at: datetime | None


class CaseView(BaseModel):
    reference: str
    status: str
    queue: str
    request_types: list[str]
    escalated: bool
    appeal_pending: bool
    received_at: datetime
    valid_at: datetime | None
    decided_at: datetime | None
    missing: list[MissingField]
    items: list[ItemOut]
    hashes: dict[str, int] = Field(description="Counts of the case's hashes by status.")
    set_aside_hashes: int = Field(
        description="Low-quality PDQ hashes kept with the case, flagged, and not matched."
    )
    deadlines: list[DeadlineOut]
    appeals: list[AppealOut]


class Decision(StrEnum):
    CONFIRM = "confirm"
    DECLINE = "decline"
    ESCALATE = "escalate"


class DeclineReason(StrEnum):
    """IN-34: the reasoned determinations that end the duty to remove."""

    NOT_INTIMATE = "not_intimate"
    NOT_DEPICTED_PERSON = "not_depicted_person"  # nor acting for them
    NOT_LOCATED = "not_located"
    OTHER = "other"


class DecisionIn(Strict):
    decision: Decision
    reason_code: DeclineReason | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = Field(
        default=None, description="Stored with the case; not sent to the uploader."
    )
    items: list[int] | None = Field(
        default=None, description="Confirm only these items (default: every open item)."
    )


class PinIn(Strict):
    pin: str | None = Field(default=None, max_length=64)


class RequesterAppealIn(PinIn):
    explanation: Annotated[str, Field(min_length=1, max_length=5000)]


class WithdrawalOut(BaseModel):
    reference: str
    status: str
    withdrawn_hashes: int
    kept_hashes: int
    message: str
