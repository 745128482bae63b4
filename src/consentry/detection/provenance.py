"""Provenance: Content Credentials (C2PA) and the metadata fields that name a generator.

A positive is strong evidence that the file was made or edited by the tool it names;
an absence proves nothing, because re-saving, screenshots and most uploads strip both.
Everything here works offline: remote manifests and certificate status are not fetched."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import c2pa

from consentry.config import DEFAULT_MAX_PIXELS
from consentry.detection.base import Applicability, Budget, Finding, Subject
from consentry.hashing.decode import open_image
from consentry.hashing.errors import HashingError

AI_SOURCE_TYPES = ("trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia")
_GENERATOR_WORDS = re.compile(
    r"stable.?diffusion|midjourney|dall.?e|firefly|imagen|flux|comfyui|automatic1111|"
    r"novelai|invokeai|generative|ai.?generated",
    re.IGNORECASE,
)
_SOURCE_TYPE = re.compile(
    rb"digitalsourcetype[^>]{0,200}?(trainedAlgorithmicMedia|"
    rb"compositeWithTrainedAlgorithmicMedia|digitalCapture|"
    rb"compositeCapture|algorithmicMedia)",
    re.IGNORECASE,
)
ANCHORS = Path(__file__).parent / "trust" / "anchors.pem"  # shipped empty; see its README


def _context(anchors: str) -> c2pa.Context:
    verify: dict[str, Any] = {
        "remote_manifest_fetch": False,
        "ocsp_fetch": False,
        "verify_trust": bool(anchors.strip()),
    }
    settings: dict[str, Any] = {"verify": verify}
    if anchors.strip():
        settings["trust"] = {"trust_anchors": anchors}
    return c2pa.Context(c2pa.Settings.from_dict(settings))


def _source_types(value: Any) -> Iterator[str]:
    """Every `digitalSourceType` the assertions declare, by its IPTC code's last segment
    (`http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture` -> `digitalCapture`)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.lower() == "digitalsourcetype" and isinstance(inner, str):
                yield inner.rstrip("/").rsplit("/", 1)[-1]
            else:
                yield from _source_types(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _source_types(inner)


def _sources(manifest: dict[str, Any]) -> list[str]:
    """Every declared type (S4: not only the AI ones, as the docs promise)."""
    return sorted(set(_source_types(manifest.get("assertions", []))))


class ContentCredentials:
    name = "c2pa"
    pixels = False
    version = f"c2pa-python {getattr(c2pa, '__version__', '')}".strip()
    applies_to = (
        "files that may carry C2PA Content Credentials (JPEG, PNG, WebP, AVIF, HEIF, TIFF, …)"
    )

    def __init__(self, anchors_file: Path | None = None) -> None:
        self.anchors = (
            (anchors_file or ANCHORS).read_text() if (anchors_file or ANCHORS).exists() else ""
        )

    def _finding(self, verdict: str, explanation: str, **details: Any) -> Finding:
        return Finding(
            self.name,
            self.version,
            Applicability.APPLICABLE,
            explanation,
            verdict=verdict,
            details=details,
        )

    def inspect(self, subject: Subject, budget: Budget) -> Finding:
        mime = {
            "JPEG": "image/jpeg",
            "PNG": "image/png",
            "WEBP": "image/webp",
            "HEIF": "image/heif",
            "AVIF": "image/avif",
            "TIFF": "image/tiff",
            "GIF": "image/gif",
        }.get(subject.format or "", "image/jpeg")
        try:
            with c2pa.Reader(
                mime, io.BytesIO(subject.data), context=_context(self.anchors)
            ) as reader:
                store = json.loads(reader.json())
        except Exception as error:  # the library raises one class per cause, all of them here
            text = str(error)
            if "ManifestNotFound" in type(error).__name__ or "no JUMBF" in text:
                return self._finding(
                    "absent",
                    "No Content Credentials. This proves nothing:"
                    " most uploads and every screenshot strip them.",
                )
            if "Remote" in text:
                return self._finding(
                    "remote",
                    "The credentials are stored remotely; they were"
                    " not fetched (inspection works offline).",
                )
            return Finding(
                self.name,
                self.version,
                Applicability.FAILED,
                "The credentials could not be read.",
                details={"error": text[:200]},
            )
        manifest = store.get("manifests", {}).get(store.get("active_manifest"), {})
        codes = [s.get("code") for s in store.get("validation_status", []) if s.get("code")]
        generators = [
            g.get("name") for g in manifest.get("claim_generator_info", []) if g.get("name")
        ]
        if manifest.get("claim_generator"):
            generators.insert(0, manifest["claim_generator"])
        sources = _sources(manifest)
        failures = [c for c in codes if c != "signingCredential.untrusted"]
        trusted = "signingCredential.untrusted" not in codes and bool(self.anchors.strip())
        details = {
            "validation": codes,
            "claim_generator": generators,
            "digital_source_type": sources,
            "trusted_signer": trusted,
        }
        if failures:
            why = (
                "the pixels changed after signing"
                if any("dataHash" in c for c in failures)
                else (
                    "the signature does not match the claim"
                    if any("Signature" in c for c in failures)
                    else "validation failed"
                )
            )
            return self._finding(
                "invalid", f"Content Credentials are present but invalid: {why}.", **details
            )
        generated = [t for t in sources if t in AI_SOURCE_TYPES]
        said = (
            f" They state the image was made with generative AI ({', '.join(generated)})."
            if generated
            else (f" They declare its source as {', '.join(sources)}." if sources else "")
        )
        signer = "a trusted signer" if trusted else "a signer not on the trust list"
        return self._finding("valid", f"Valid Content Credentials from {signer}.{said}", **details)


class GeneratorMetadata:
    name = "metadata"
    pixels = False
    version = "1"
    applies_to = "images with EXIF, XMP or IPTC metadata"

    def inspect(self, subject: Subject, budget: Budget) -> Finding:
        found: dict[str, str] = {}
        try:
            opened = open_image(subject.data, max_pixels=DEFAULT_MAX_PIXELS)
        except HashingError:
            opened = None
        if opened is not None:
            exif = opened.getexif()
            for tag, label in (
                (0x0131, "exif_software"),
                (0x010F, "exif_make"),
                (0x9286, "exif_comment"),
            ):
                value = exif.get(tag)
                if isinstance(value, str | bytes):
                    found[label] = (
                        value.decode(errors="replace") if isinstance(value, bytes) else value
                    )[:200]
            for key in ("parameters", "prompt", "Software", "Comment", "Description"):
                value = opened.info.get(key)
                if isinstance(value, str):
                    found[f"text_{key.lower()}"] = value[:200]
        source = _SOURCE_TYPE.search(subject.data[:4_000_000])
        if source:
            found["xmp_digital_source_type"] = source.group(1).decode()
        generator = sorted({v for v in found.values() if _GENERATOR_WORDS.search(v)})
        ai_source = found.get("xmp_digital_source_type") in AI_SOURCE_TYPES
        if ai_source or generator:
            return Finding(
                self.name,
                self.version,
                Applicability.APPLICABLE,
                "The file's metadata names a generative tool. Strong evidence, but"
                " metadata is easy to add or edit.",
                verdict="generator_named",
                details=found,
            )
        return Finding(
            self.name,
            self.version,
            Applicability.APPLICABLE,
            "No generator is named in the metadata. This proves nothing: it is"
            " stripped by most uploads.",
            verdict="none",
            details=found,
        )
