"""Field encryption and keyed hashes for sensitive columns (ID numbers, face templates).

AES-256-GCM with a random nonce per value; a keyed HMAC gives a stable lookup value without
revealing the plaintext. Both keys are derived from the operator's data key, so rotating it is
one setting (and a re-encryption job), and a database dump alone reveals nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from lifecert.core.errors import DataIntegrityError
from lifecert.core.settings import get_settings

_NONCE_BYTES = 12
_FORMAT_V1 = b"\x01"


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=b"lifecert", info=purpose).derive(master)


@dataclass(frozen=True)
class FieldCipher:
    encryption_key: bytes
    lookup_key: bytes

    @classmethod
    def from_secret(cls, secret: str) -> FieldCipher:
        master = secret.encode()
        return cls(_derive(master, b"field-encryption"), _derive(master, b"lookup-hash"))

    def encrypt(self, plaintext: bytes, *, context: bytes = b"") -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return _FORMAT_V1 + nonce + AESGCM(self.encryption_key).encrypt(nonce, plaintext, context)

    def decrypt(self, blob: bytes, *, context: bytes = b"") -> bytes:
        if not blob.startswith(_FORMAT_V1):
            raise DataIntegrityError("encrypted value has an unknown format")
        nonce, ciphertext = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        try:
            return AESGCM(self.encryption_key).decrypt(nonce, ciphertext, context)
        except Exception as exc:  # InvalidTag: wrong key or tampered row
            raise DataIntegrityError("encrypted value failed authentication") from exc

    def encrypt_text(self, text: str, *, context: str = "") -> bytes:
        return self.encrypt(text.encode(), context=context.encode())

    def decrypt_text(self, blob: bytes, *, context: str = "") -> str:
        return self.decrypt(blob, context=context.encode()).decode()

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self.lookup_key, value.encode(), hashlib.sha256).hexdigest()


@lru_cache
def get_field_cipher() -> FieldCipher:
    settings = get_settings()
    # In dev the data key falls back to the secret key; production refuses to start without one.
    secret = settings.data_key.get_secret_value() or settings.secret_key.get_secret_value()
    return FieldCipher.from_secret(secret)
