"""HTTPS to a pinned address: SNI and the certificate check use the URL's name, not the IP."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from teleframe.services import ssrf
from tests.webhooks.receiver import Receiver

NAME = "hooks.example.test"


def self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_receiver(tmp_path):  # type: ignore[no-untyped-def]
    cert, key = self_signed(tmp_path, NAME)
    server_names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)  # type: ignore[assignment]
    with Receiver() as receiver:
        receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
        receiver.server_names = server_names  # type: ignore[attr-defined]
        receiver.cert = cert  # type: ignore[attr-defined]
        yield receiver


def post(receiver: Receiver) -> int:
    port = receiver.server.server_address[1]
    target = ssrf.Target("https", NAME, port, "/in", ("127.0.0.1",))
    connection = ssrf.open_connection(target, connect_timeout=3, read_timeout=10)
    try:
        connection.request("POST", target.path, body=b"{}")
        response = connection.getresponse()
        response.close()
        return response.status
    finally:
        connection.close()


def test_an_untrusted_certificate_is_refused(tls_receiver):
    with pytest.raises(ssl.SSLCertVerificationError):
        post(tls_receiver)
    assert tls_receiver.server_names == [NAME]
    assert tls_receiver.received == []


def test_a_trusted_certificate_for_the_name_is_accepted(tls_receiver, monkeypatch):
    trusting = ssl.create_default_context(cafile=str(tls_receiver.cert))
    monkeypatch.setattr(ssrf.ssl, "create_default_context", lambda: trusting)
    assert post(tls_receiver) == 200
    assert tls_receiver.server_names == [NAME]
    assert (
        tls_receiver.received[0].headers["host"]
        == f"{NAME}:{tls_receiver.server.server_address[1]}"
    )
