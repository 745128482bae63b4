"""Content Credentials made in the test: a throwaway CA and signer, never shipped."""

from __future__ import annotations

import datetime
import io
import json

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

AI_SOURCE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "consentry tests"),
        ]
    )


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


class ThrowawaySigner:
    """A CA and a leaf it certifies (ES256), as C2PA asks of a signing credential."""

    def __init__(self) -> None:
        now = datetime.datetime.now(datetime.UTC)
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.key = ec.generate_private_key(ec.SECP256R1())
        valid = (now - datetime.timedelta(days=1), now + datetime.timedelta(days=30))
        self.ca = (
            x509.CertificateBuilder()
            .subject_name(_name("test CA"))
            .issuer_name(_name("test CA"))
            .public_key(self.ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid[0])
            .not_valid_after(valid[1])
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.ca_key.public_key()), critical=False
            )
            .sign(self.ca_key, hashes.SHA256())
        )
        self.leaf = (
            x509.CertificateBuilder()
            .subject_name(_name("test signer"))
            .issuer_name(self.ca.subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid[0])
            .not_valid_after(valid[1])
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(ca=False), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()),
                critical=False,
            )
            .sign(self.ca_key, hashes.SHA256())
        )

    @property
    def anchors_pem(self) -> bytes:
        return self.ca.public_bytes(serialization.Encoding.PEM)

    def sign(self, jpeg: bytes, *, ai: bool, source: str | None = None) -> bytes:
        """Signed, declaring the AI source type (`ai`) or any other `source` URI."""
        chain = self.leaf.public_bytes(serialization.Encoding.PEM) + self.anchors_pem
        key = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        action: dict[str, str] = {"action": "c2pa.created"}
        if ai or source:
            action["digitalSourceType"] = source or AI_SOURCE
        manifest = {
            "claim_generator_info": [{"name": "consentry-test", "version": "1"}],
            "title": "generated pattern",
            "assertions": [{"label": "c2pa.actions", "data": {"actions": [action]}}],
        }
        signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, key, None))
        out = io.BytesIO()
        with c2pa.Builder(json.dumps(manifest)) as builder:
            builder.sign(signer, "image/jpeg", io.BytesIO(jpeg), out)
        return out.getvalue()
