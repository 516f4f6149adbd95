"""Encryption keys belong to an app: two apps in one process never use each other's keys."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select, text

from teleframe.db import crypto
from teleframe.extensions import db
from teleframe.models import Client
from tests.conftest import new_practice


def test_ciphertext_is_bound_to_its_key() -> None:
    keyring = crypto.Keyring((crypto.new_key("k1"),))
    sealed = keyring.encrypt(b"secret")
    assert keyring.decrypt(sealed) == b"secret"
    version, _, body = sealed.partition(":")
    tampered = f"{version}:{body[:-4]}{'AAAA' if body[-4:] != 'AAAA' else 'BBBB'}"
    with pytest.raises(InvalidTag):
        keyring.decrypt(tampered)


def test_the_newest_key_encrypts_and_every_key_decrypts() -> None:
    first = crypto.new_key("1")
    old = crypto.Keyring((first,))
    sealed_before = old.encrypt(b"kept")
    rotated = crypto.Keyring((crypto.new_key("2"), first))
    assert rotated.encrypt(b"new").startswith("2:")
    assert rotated.decrypt(sealed_before) == b"kept"
    with pytest.raises(RuntimeError, match="version '2'"):
        old.decrypt(rotated.encrypt(b"new"))


@pytest.mark.parametrize("keys", [(), ("1:short",), (":" + crypto.new_key()[2:],)])
def test_malformed_keys_are_refused(keys: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        crypto.Keyring(keys)


@pytest.fixture
def other_app(settings: Any) -> Iterator[Any]:
    """A second app in this process on the same database, with a key of its own."""
    from teleframe import create_app

    own = dataclasses.replace(
        settings,
        encryption_keys=(crypto.new_key("b1"),),
        queue=f"teleframe-keys-{uuid.uuid4().hex[:8]}",
    )
    made = create_app(own, TESTING=True)
    yield made
    with made.app_context():
        db.engine.dispose()


def test_two_apps_in_one_process_keep_their_own_keys(app: Any, other_app: Any) -> None:
    mine = new_practice(app).client()
    theirs = new_practice(other_app).client()
    assert _stored(app, mine).startswith("t1:")
    assert _stored(other_app, theirs).startswith("b1:")
    assert _identity(app, mine)["display_name"] == "Sam Client"
    assert _identity(other_app, theirs)["display_name"] == "Sam Client"
    with pytest.raises(RuntimeError, match="no encryption key with version 't1'"):
        _identity(other_app, mine)
    with pytest.raises(RuntimeError, match="no encryption key with version 'b1'"):
        _identity(app, theirs)


def test_an_app_with_a_rotated_keyring_reads_old_rows_and_writes_new(
    app: Any, settings: Any
) -> None:
    from teleframe import create_app

    written = new_practice(app).client()
    keys = (crypto.new_key("t2"), *settings.encryption_keys)
    rotated = create_app(dataclasses.replace(settings, encryption_keys=keys), TESTING=True)
    try:
        assert _identity(rotated, written)["display_name"] == "Sam Client"
        assert _stored(rotated, new_practice(rotated).client()).startswith("t2:")
    finally:
        with rotated.app_context():
            db.engine.dispose()


def _stored(app: Any, client_id: str) -> str:
    with app.app_context():
        return str(
            db.session.scalar(
                text("SELECT identity FROM clients WHERE id = :id"), {"id": uuid.UUID(client_id)}
            )
        )


def _identity(app: Any, client_id: str) -> dict[str, Any]:
    with app.app_context():
        found = db.session.scalars(select(Client).where(Client.id == uuid.UUID(client_id)))
        identity: dict[str, Any] = found.one().identity
        return identity
