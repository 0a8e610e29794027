"""Reading uploads with a hard size limit, before any decoding work is done.

Plain ``def`` (the routes calling it run in the thread pool): the body was already streamed
under ``core.bodylimit``'s cap, which refuses an oversized request while it arrives; this reads
the spooled part in chunks and refuses a file above its own, smaller limit.
"""

from __future__ import annotations

import io

from fastapi import UploadFile
from PIL import Image, UnidentifiedImageError

from lifecert.core.errors import InvalidInput, PayloadTooLarge

_CHUNK = 1024 * 1024


def read_upload(upload: UploadFile, *, max_bytes: int) -> bytes:
    if upload.size is not None and upload.size > max_bytes:
        raise PayloadTooLarge("The file is larger than {mb} MB.", params={"mb": max_bytes >> 20})
    parts: list[bytes] = []
    total = 0
    upload.file.seek(0)
    while chunk := upload.file.read(_CHUNK):
        total += len(chunk)
        if total > max_bytes:
            limit = max_bytes >> 20
            raise PayloadTooLarge("The file is larger than {mb} MB.", params={"mb": limit})
        parts.append(chunk)
    if total == 0:
        raise InvalidInput("The file is empty.")
    return b"".join(parts)


def check_image_header(data: bytes, *, max_pixels: int, max_side: int) -> None:
    """Refuse a picture whose header declares more than a phone-sized image, before any pixel
    is decoded (a tiny PNG can declare 100 million pixels). Unreadable headers pass: the
    decoder refuses them with its own, precise message."""
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # (the warning is raised where another thread turned warnings into errors)
        raise PayloadTooLarge("The picture is too large. Please try again.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return
    if width > max_side or height > max_side or width * height > max_pixels:
        raise PayloadTooLarge("The picture is too large. Please try again.")
