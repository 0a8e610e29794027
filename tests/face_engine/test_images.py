import io
import zlib

import numpy as np
import pytest
from PIL import Image

from lifecert.face_engine.errors import (
    CorruptImageError,
    ImageTooLargeError,
    UnsupportedImageFormatError,
)
from lifecert.face_engine.images import decode_image


def encoded(array: np.ndarray, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def gradient(height: int = 60, width: int = 80) -> np.ndarray:
    x = np.linspace(0, 255, width, dtype=np.uint8)
    return np.ascontiguousarray(np.stack([np.tile(x, (height, 1))] * 3, axis=-1))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_allowed_formats_decode_to_rgb(fmt: str) -> None:
    result = decode_image(encoded(gradient(), fmt))
    assert result.shape == (60, 80, 3) and result.dtype == np.uint8


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    data = encoded(gradient(60, 80), "JPEG", exif=exif.tobytes())
    assert decode_image(data).shape == (80, 60, 3)


def test_truncated_jpeg_is_corrupt() -> None:
    data = encoded(gradient(200, 200), "JPEG")
    with pytest.raises(CorruptImageError) as error:
        decode_image(data[: len(data) // 2])
    assert error.value.code == "corrupt_image"


def test_gif_is_refused() -> None:
    with pytest.raises(UnsupportedImageFormatError) as error:
        decode_image(encoded(gradient(), "GIF"))
    assert "GIF" in str(error.value)


def test_text_file_is_refused() -> None:
    with pytest.raises(UnsupportedImageFormatError):
        decode_image(b"hello, this is not a picture\n" * 10)


def test_huge_dimension_png_header_is_refused_before_decoding() -> None:
    # A 1x1 PNG whose header claims 100000 x 100000 pixels (a decompression bomb).
    data = bytearray(encoded(gradient(1, 1), "PNG"))
    data[16:24] = (100_000).to_bytes(4, "big") * 2
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")  # keep the IHDR CRC valid
    with pytest.raises(ImageTooLargeError):
        decode_image(bytes(data))


def test_too_many_bytes_is_refused() -> None:
    with pytest.raises(ImageTooLargeError):
        decode_image(encoded(gradient(), "PNG"), max_bytes=100)


def test_empty_bytes_is_corrupt() -> None:
    with pytest.raises(CorruptImageError):
        decode_image(b"")
