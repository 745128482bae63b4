"""Every detector honours the contract; Content Credentials and generator metadata are
read offline and explained; nothing a file contains can make inspection fail."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from consentry.detection.base import Applicability, Budget, Finding, Subject, check_budget
from consentry.detection.provenance import ContentCredentials, GeneratorMetadata
from consentry.detection.service import default_detectors, inspect, subject_of
from tests.detection.signing import ThrowawaySigner
from tests.images import jpeg, pattern, png

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "c2pa-fixtures"


def _with_software(name: str) -> bytes:
    exif = Image.Exif()
    exif[0x0131] = name
    return jpeg(pattern(1), exif=exif.tobytes())


def _png_with_parameters() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a portrait, Steps: 30, Sampler: Euler a, Stable Diffusion 1.5")
    buffer = io.BytesIO()
    pattern(2).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


INPUTS = {
    "jpeg": jpeg(pattern(0)),
    "png": png(pattern(0)),
    "truncated": jpeg(pattern(0))[:3000],
    "garbage": b"\x00\x01 not an image",
    "empty": b"",
    "bomb": png(Image.new("L", (1, 1))).replace(
        b"\x00\x00\x00\x01\x00\x00\x00\x01", b"\x00\x01\x00\x00\x00\x01\x00\x00", 1
    ),
}


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_every_detector_answers_every_input_without_raising(name: str) -> None:
    findings = inspect(INPUTS[name])
    detectors = default_detectors()
    assert [f.detector for f in findings] == [d.name for d in detectors]
    for finding, detector in zip(findings, detectors, strict=True):
        assert finding.version == detector.version
        assert isinstance(finding.applicability, Applicability)
        assert finding.explanation
        assert finding.to_json()["applicability"] == finding.applicability.value


class Slow:
    name, version, applies_to = "slow", "1", "tests"
    pixels = False

    def inspect(self, subject: Subject, budget: Budget) -> Finding:
        time.sleep(0.01)
        check_budget(budget)
        raise AssertionError("unreachable")


class Broken:
    name, version, applies_to = "broken", "1", "tests"
    pixels = False

    def inspect(self, subject: Subject, budget: Budget) -> Finding:
        raise ZeroDivisionError


def test_a_slow_or_broken_detector_cannot_sink_the_others() -> None:
    findings = inspect(
        INPUTS["jpeg"], detectors=[Slow(), Broken(), GeneratorMetadata()], seconds_per_megapixel=0.0
    )
    assert [f.applicability for f in findings] == [
        Applicability.TIMED_OUT,
        Applicability.FAILED,
        Applicability.APPLICABLE,
    ]
    assert findings[1].details == {"error": "ZeroDivisionError"}


@pytest.fixture(scope="module")
def signer() -> ThrowawaySigner:
    return ThrowawaySigner()


def test_content_credentials_are_valid_then_invalid_after_a_pixel_edit(
    signer: ThrowawaySigner, tmp_path: Path
) -> None:
    signed = signer.sign(jpeg(pattern(5)), ai=True)
    untrusted = ContentCredentials().inspect(subject_of(signed), Budget.of(30))
    assert untrusted.verdict == "valid"
    assert untrusted.details["digital_source_type"] == ["trainedAlgorithmicMedia"]
    assert untrusted.details["trusted_signer"] is False
    assert "not on the trust list" in untrusted.explanation
    assert "generative AI" in untrusted.explanation
    anchors = tmp_path / "anchors.pem"
    anchors.write_bytes(signer.anchors_pem)
    trusted = ContentCredentials(anchors).inspect(subject_of(signed), Budget.of(30))
    assert trusted.details["trusted_signer"] is True
    edited = bytearray(signed)
    edited[-200] ^= 0xFF  # inside the compressed pixels, after signing
    invalid = ContentCredentials().inspect(subject_of(bytes(edited)), Budget.of(30))
    assert invalid.verdict == "invalid"
    assert "pixels changed after signing" in invalid.explanation


def test_no_credentials_is_said_to_prove_nothing() -> None:
    finding = ContentCredentials().inspect(subject_of(INPUTS["jpeg"]), Budget.of(30))
    assert finding.verdict == "absent"
    assert "proves nothing" in finding.explanation


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_with_software("Stable Diffusion XL"), "exif_software"),
        (_png_with_parameters(), "text_parameters"),
        (
            jpeg(pattern(3))[:2]
            + b"\xff\xe1\x00\x60http://ns.adobe.com/xap/1.0/\x00<x Iptc4xmpExt:DigitalSourceType="
            b'"http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"/>'
            + jpeg(pattern(3))[2:],
            "xmp_digital_source_type",
        ),
    ],
)
def test_metadata_naming_a_generator_is_reported(data: bytes, field: str) -> None:
    finding = GeneratorMetadata().inspect(subject_of(data), Budget.of(30))
    assert finding.verdict == "generator_named"
    assert field in finding.details


def test_plain_camera_metadata_names_no_generator() -> None:
    finding = GeneratorMetadata().inspect(
        subject_of(_with_software("Camera firmware 1.2")), Budget.of(30)
    )
    assert finding.verdict == "none"
    assert "proves nothing" in finding.explanation


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared C2PA fixtures are not here")
@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        ("C.jpg", "valid"),
        ("files-for-reading-tests_XCA.jpg", "invalid"),
        ("files-for-reading-tests_E-sig-CA.jpg", "invalid"),
        ("cloud.jpg", "remote"),
        ("A.jpg", "absent"),
    ],
)
def test_the_published_c2pa_fixtures(name: str, verdict: str) -> None:
    data = (SHARED / name).read_bytes()
    assert ContentCredentials().inspect(subject_of(data), Budget.of(30)).verdict == verdict


class Waiting:
    """Spends wall-clock time without working, as a detector does on a busy machine."""

    name, version, applies_to = "waiting", "1", "tests"
    pixels = False

    def inspect(self, subject: Subject, budget: Budget) -> Finding:
        time.sleep(0.3)
        check_budget(budget)
        return Finding(self.name, self.version, Applicability.APPLICABLE, "done")


def test_budgets_count_work_done_not_time_waited() -> None:
    """S5: a finding must not depend on what else the machine runs."""
    (finding,) = inspect(INPUTS["jpeg"], detectors=[Waiting()], seconds_per_megapixel=0.2)
    assert finding.applicability is Applicability.APPLICABLE
    spent = Budget.of(0.1)
    time.sleep(0.2)
    assert not spent.spent  # waiting costs no work
    assert Budget(cpu_until=time.thread_time() - 1, wall_until=time.monotonic() + 60).spent


@pytest.mark.parametrize("declared", ["digitalCapture", "algorithmicMedia"])
def test_every_declared_source_type_is_reported(signer: ThrowawaySigner, declared: str) -> None:
    """S4: not only the generative-AI types."""
    uri = f"http://cv.iptc.org/newscodes/digitalsourcetype/{declared}"
    signed = signer.sign(jpeg(pattern(5)), ai=False, source=uri)
    finding = ContentCredentials().inspect(subject_of(signed), Budget.of(30))
    assert finding.details["digital_source_type"] == [declared]
    assert "generative AI" not in finding.explanation
