"""Blob storage for photos and reports: encrypted files under the data directory.

A blob is addressed by an opaque key; its content is encrypted with the keyring, so copying the
folder reveals nothing. Writes are atomic (temp file + rename).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from lifecert.core.crypto import Keyring, get_keyring
from lifecert.core.errors import NotFound
from lifecert.core.settings import get_settings


class BlobStore:
    def __init__(self, root: Path, keyring: Keyring) -> None:
        self.root = root
        self.keyring = keyring

    def _path(self, key: str) -> Path:
        if not key.replace("-", "").replace("_", "").replace("/", "").isalnum() or ".." in key:
            raise NotFound("No such file.")
        return self.root / key

    def put(self, data: bytes, *, prefix: str) -> str:
        key = f"{prefix}/{secrets.token_hex(2)}/{secrets.token_urlsafe(18)}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(self.keyring.encrypt(data, context=key.encode()))
        os.replace(tmp, path)
        return key

    def get(self, key: str) -> bytes:
        path = self._path(key)
        if not path.exists():
            raise NotFound("No such file.")
        return self.keyring.decrypt(path.read_bytes(), context=key.encode())

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def all_keys(self) -> Iterator[str]:
        """Every stored blob (photos, check frames, uploads, reports, exports): what key
        rotation must rewrite, whichever table points at it (or none does any more)."""
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and path.suffix != ".tmp":
                yield path.relative_to(self.root).as_posix()

    def reencrypt(self, key: str) -> bool:
        """Rewrite with the current key; returns whether anything changed."""
        path = self._path(key)
        if not path.exists() or not self.keyring.needs_rotation(path.read_bytes()):
            return False
        data = self.get(key)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(self.keyring.encrypt(data, context=key.encode()))
        os.replace(tmp, path)
        return True


@lru_cache
def get_blob_store() -> BlobStore:
    return BlobStore(get_settings().data_dir / "blobs", get_keyring())
