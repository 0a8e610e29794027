from __future__ import annotations

import pytest

from lifecert.core.crypto import Keyring
from lifecert.core.errors import DataIntegrityError


def test_round_trip_and_random_nonce() -> None:
    ring = Keyring.from_secrets("k" * 32)
    a = ring.encrypt_text("430102195003070022", context="id")
    b = ring.encrypt_text("430102195003070022", context="id")
    assert a != b  # same plaintext, different ciphertext
    assert b"430102" not in a
    assert ring.decrypt_text(a, context="id") == "430102195003070022"
    assert ring.key_id_of(a) == ring.current.key_id


def test_tampering_wrong_key_and_wrong_context_are_detected() -> None:
    ring = Keyring.from_secrets("k" * 32)
    blob = bytearray(ring.encrypt_text("secret", context="id"))
    blob[-1] ^= 1
    with pytest.raises(DataIntegrityError):
        ring.decrypt_text(bytes(blob), context="id")
    good = ring.encrypt_text("secret", context="id")
    with pytest.raises(DataIntegrityError, match="key this server does not have"):
        Keyring.from_secrets("other" * 8).decrypt_text(good, context="id")
    with pytest.raises(DataIntegrityError):
        ring.decrypt_text(good, context="template")
    with pytest.raises(DataIntegrityError, match="unknown format"):
        ring.decrypt_text(b"plain text", context="id")


def test_old_keys_still_decrypt_after_rotation() -> None:
    old = Keyring.from_secrets("old" * 11)
    blob = old.encrypt_text("x")
    rotated = Keyring.from_secrets("new" * 11, previous=("old" * 11,))
    assert rotated.decrypt_text(blob) == "x"
    assert rotated.needs_rotation(blob)
    assert not rotated.needs_rotation(rotated.encrypt_text("x"))


def test_lookup_hash_is_stable_and_keyed() -> None:
    one, two = Keyring.from_secrets("k" * 32), Keyring.from_secrets("j" * 32)
    assert one.lookup_hash("x") == one.lookup_hash("x")
    assert one.lookup_hash("x") != two.lookup_hash("x")
