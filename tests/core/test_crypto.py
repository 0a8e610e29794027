from __future__ import annotations

import pytest

from lifecert.core.crypto import FieldCipher
from lifecert.core.errors import DataIntegrityError


def test_round_trip_and_random_nonce() -> None:
    cipher = FieldCipher.from_secret("k" * 32)
    a = cipher.encrypt_text("430102195003070022", context="id")
    b = cipher.encrypt_text("430102195003070022", context="id")
    assert a != b  # same plaintext, different ciphertext
    assert b"430102" not in a
    assert cipher.decrypt_text(a, context="id") == "430102195003070022"


def test_tampering_wrong_key_and_wrong_context_are_detected() -> None:
    cipher = FieldCipher.from_secret("k" * 32)
    blob = bytearray(cipher.encrypt_text("secret", context="id"))
    blob[-1] ^= 1
    with pytest.raises(DataIntegrityError):
        cipher.decrypt_text(bytes(blob), context="id")
    good = cipher.encrypt_text("secret", context="id")
    with pytest.raises(DataIntegrityError):
        FieldCipher.from_secret("other" * 8).decrypt_text(good, context="id")
    with pytest.raises(DataIntegrityError):
        cipher.decrypt_text(good, context="template")


def test_lookup_hash_is_stable_and_keyed() -> None:
    one, two = FieldCipher.from_secret("k" * 32), FieldCipher.from_secret("j" * 32)
    assert one.lookup_hash("x") == one.lookup_hash("x")
    assert one.lookup_hash("x") != two.lookup_hash("x")
