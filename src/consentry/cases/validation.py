"""When is a notice valid (IN-30, IN-31)?

The four TAKE IT DOWN elements (signature, identification and location, good-faith
statement, contact) make a notice valid; nothing else ever delays validity. Hash-only
submissions (StopNCII style) and possible minors' cases need no name or contact
(IN-16, DSA Art. 16(2)(c)); an authority order names its issuer and legal basis.
"""

from __future__ import annotations

from consentry.cases.models import RequestType
from consentry.cases.schemas import HashIn, MissingField, NoticeIn
from consentry.hashing.pdq import MIN_RELIABLE_QUALITY
from consentry.signals.registry import kind_of

SET_ASIDE = "set_aside_hashes"  # where low-quality hashes are kept with the case, unbanked


def _anonymous_allowed(notice: NoticeIn) -> bool:
    if notice.under_18 is not None and notice.under_18.possible_minor:
        return True
    return set(notice.request_types) == {RequestType.HASH_ONLY}


def usable(submitted: HashIn) -> bool:
    """Whether a submitted hash is kept: PDQ hashes of low quality are set aside."""
    return kind_of(submitted.signal_type).usable(submitted.quality)


def usable_hashes(notice: NoticeIn) -> int:
    return sum(1 for h in notice.hashes if usable(h))


def missing_elements(notice: NoticeIn, *, known_hashes: int = 0) -> list[MissingField]:
    """What the notice lacks to be valid, field by field (empty: valid)."""
    missing: list[MissingField] = []
    hashes = usable_hashes(notice) + known_hashes
    anonymous = _anonymous_allowed(notice)
    if not anonymous and (notice.signature is None or not notice.signature.signed):
        missing.append(
            MissingField(
                field="signature",
                message="a signature: the typed name of the person depicted (or of their"
                " representative) and signed: true",
            )
        )
    if RequestType.HASH_ONLY in notice.request_types and not hashes:
        missing.append(
            MissingField(field="hashes", message="a hash-only request needs at least one hash")
        )
    elif not notice.locations and not hashes:
        missing.append(
            MissingField(
                field="locations",
                message="where the content is: a URL, the platform's content ID, a description"
                " (such as the uploader's handle), or hashes computed on your device",
            )
        )
    if not notice.good_faith:
        missing.append(
            MissingField(
                field="good_faith",
                message="a statement of good-faith belief that the content was published"
                " without consent (good_faith: true)",
            )
        )
    contact = notice.contact
    if not anonymous and (contact is None or not (contact.email or contact.phone)):
        missing.append(
            MissingField(
                field="contact", message="a way to contact you: contact.email or contact.phone"
            )
        )
    if RequestType.AUTHORITY_ORDER in notice.request_types and notice.authority is None:
        missing.append(
            MissingField(
                field="authority", message="an authority order names its issuer and legal basis"
            )
        )
    return missing


def warnings_for(notice: NoticeIn) -> list[str]:
    """Fields that help but never delay validity, and hashes that were set aside."""
    warnings = []
    low = len(notice.hashes) - usable_hashes(notice)
    if low:
        warnings.append(
            f"{low} PDQ hash(es) of quality below {MIN_RELIABLE_QUALITY} were kept with the case"
            " but not used for matching: they match unrelated images too easily"
        )
    asked = {
        "standing": notice.standing is None,
        "intimacy": not notice.intimacy,
        "grounds": not notice.grounds,
        "under_18": notice.under_18 is None,
        "accurate": not notice.accurate,
    }
    for name, absent in asked.items():
        if absent:
            warnings.append(f"{name} was not given: it helps us act, but is not required")
    return warnings
