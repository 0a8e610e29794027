"""Reading uploads with a hard size limit, before any decoding work is done."""

from __future__ import annotations

from fastapi import UploadFile

from lifecert.core.errors import InvalidInput, PayloadTooLarge

_CHUNK = 1024 * 1024


async def read_upload(upload: UploadFile, *, max_bytes: int) -> bytes:
    if upload.size is not None and upload.size > max_bytes:
        raise PayloadTooLarge("The file is larger than {mb} MB.", params={"mb": max_bytes >> 20})
    parts: list[bytes] = []
    total = 0
    while chunk := await upload.read(_CHUNK):
        total += len(chunk)
        if total > max_bytes:
            limit = max_bytes >> 20
            raise PayloadTooLarge("The file is larger than {mb} MB.", params={"mb": limit})
        parts.append(chunk)
    if total == 0:
        raise InvalidInput("The file is empty.")
    return b"".join(parts)
