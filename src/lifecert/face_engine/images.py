"""Safe image decoding: JPEG, PNG and WebP only, EXIF orientation applied, size limits enforced.

Pillow's own bomb guard warns (not fails) below 2x its limit, so we check the declared
dimensions ourselves *before* decoding any pixel data.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import CorruptImageError, ImageError, ImageTooLargeError, UnsupportedImageFormatError
from .types import RGBImage

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
DEFAULT_MAX_BYTES = 15 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000


def decode_image(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS
) -> RGBImage:
    """Decode bytes into an upright RGB uint8 array (H, W, 3) or raise an ``ImageError``."""
    if not data:
        raise CorruptImageError("The image is empty.")
    if len(data) > max_bytes:
        raise ImageTooLargeError(f"The image file is {len(data)} bytes; the limit is {max_bytes}.")
    image = _open_checked(data, max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            image = ImageOps.exif_transpose(image) or image
            rgb = image.convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as exc:
        raise CorruptImageError(f"The image could not be decoded: {exc}") from exc
    return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))


def _open_checked(data: bytes, max_pixels: int) -> Image.Image:
    """Read only the header: the format and the declared size."""
    try:
        image = Image.open(io.BytesIO(data), formats=None)
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(f"The image declares too many pixels: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedImageFormatError(
            "This is not a JPEG, PNG or WebP image.", code="unsupported_format"
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptImageError(f"The image header is unreadable: {exc}") from exc
    if image.format not in ALLOWED_FORMATS:
        raise UnsupportedImageFormatError(
            f"Image format {image.format} is not accepted; use JPEG, PNG or WebP."
        )
    width, height = image.size
    if width <= 0 or height <= 0:
        raise CorruptImageError("The image has no pixels.")
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"The image is {width}x{height} pixels; the limit is {max_pixels} pixels."
        )
    return image


def load_image(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS
) -> RGBImage:
    """Read and decode an image file with the same rules as uploaded bytes."""
    file_path = Path(path)
    size = file_path.stat().st_size
    if size > max_bytes:
        raise ImageTooLargeError(f"The image file is {size} bytes; the limit is {max_bytes}.")
    return decode_image(file_path.read_bytes(), max_bytes=max_bytes, max_pixels=max_pixels)


def ensure_rgb(image: RGBImage) -> RGBImage:
    """Validate an already-decoded array: (H, W, 3) uint8, contiguous."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ImageError(f"Expected an RGB uint8 array (H, W, 3), got {image.dtype} {image.shape}.")
    return np.ascontiguousarray(image)
