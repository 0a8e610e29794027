"""Field encryption and keyed hashes for sensitive data (ID numbers, face templates, photos).

AES-256-GCM with a random nonce per value. Every ciphertext starts with the id of the key that
made it, so keys can rotate: the current key encrypts, older keys (``LIFECERT_PREVIOUS_DATA_KEYS``)
still decrypt until ``lifecert keys rotate`` has re-encrypted everything. A keyed HMAC gives a
stable lookup value without revealing the plaintext; a database dump alone reveals nothing.
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
_FORMAT = b"\x02"
_KEY_ID_BYTES = 8


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=b"lifecert", info=purpose).derive(master)


@dataclass(frozen=True)
class DataKey:
    key_id: str
    encryption_key: bytes
    lookup_key: bytes

    @classmethod
    def from_secret(cls, secret: str) -> DataKey:
        master = secret.encode()
        enc = _derive(master, b"field-encryption")
        # The id is a fingerprint of the key, never the key: safe to store beside each record.
        key_id = hashlib.sha256(b"key-id" + enc).hexdigest()[:_KEY_ID_BYTES]
        return cls(key_id, enc, _derive(master, b"lookup-hash"))

    def purpose_key(self, purpose: bytes) -> bytes:
        """A key for one signing purpose (audit chain, archive...), derived from the lookup key
        so rotating the data key rotates it, and one purpose's key never signs for another."""
        return hmac.new(self.lookup_key, purpose, hashlib.sha256).digest()


class Keyring:
    """The current key for new data, and every known key for reading old data."""

    def __init__(self, current: DataKey, previous: tuple[DataKey, ...] = ()) -> None:
        self.current = current
        self._by_id = {k.key_id: k for k in (*previous, current)}

    @classmethod
    def from_secrets(cls, current: str, previous: tuple[str, ...] = ()) -> Keyring:
        return cls(DataKey.from_secret(current), tuple(DataKey.from_secret(s) for s in previous))

    def encrypt(self, plaintext: bytes, *, context: bytes = b"") -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        key = self.current
        body = AESGCM(key.encryption_key).encrypt(nonce, plaintext, context)
        return _FORMAT + key.key_id.encode() + nonce + body

    def decrypt(self, blob: bytes, *, context: bytes = b"") -> bytes:
        key = self._by_id.get(self.key_id_of(blob))
        if key is None:
            raise DataIntegrityError("encrypted value uses a key this server does not have")
        start = 1 + _KEY_ID_BYTES
        nonce, body = blob[start : start + _NONCE_BYTES], blob[start + _NONCE_BYTES :]
        try:
            return AESGCM(key.encryption_key).decrypt(nonce, body, context)
        except Exception as exc:  # InvalidTag: wrong key or tampered row
            raise DataIntegrityError("encrypted value failed authentication") from exc

    def by_id(self, key_id: str) -> DataKey | None:
        """The current or a previous key by its id (None: this server does not have it)."""
        return self._by_id.get(key_id)

    @staticmethod
    def key_id_of(blob: bytes) -> str:
        if not blob.startswith(_FORMAT) or len(blob) < 1 + _KEY_ID_BYTES + _NONCE_BYTES:
            raise DataIntegrityError("encrypted value has an unknown format")
        return blob[1 : 1 + _KEY_ID_BYTES].decode("ascii", errors="replace")

    def needs_rotation(self, blob: bytes) -> bool:
        return self.key_id_of(blob) != self.current.key_id

    def encrypt_text(self, text: str, *, context: str = "") -> bytes:
        return self.encrypt(text.encode(), context=context.encode())

    def decrypt_text(self, blob: bytes, *, context: str = "") -> str:
        return self.decrypt(blob, context=context.encode()).decode()

    def lookup_hash(self, value: str, key: DataKey | None = None) -> str:
        lookup_key = (key or self.current).lookup_key
        return hmac.new(lookup_key, value.encode(), hashlib.sha256).hexdigest()


@lru_cache
def get_keyring() -> Keyring:
    settings = get_settings()
    # In dev the data key falls back to the secret key; production refuses to start without one.
    secret = settings.data_key.get_secret_value() or settings.secret_key.get_secret_value()
    previous = tuple(k.get_secret_value() for k in settings.previous_data_keys)
    return Keyring.from_secrets(secret, previous)
