"""Reader of dlib's binary serialization format (dlib/serialize.h, dlib/dnn/tensor.h).

Only what the ResNet face model needs:

* integers: one header byte (low 4 bits = byte count, 0x80 = negative) then little-endian bytes;
* floats: an integer mantissa then an integer exponent, value = mantissa * 2**exponent;
* strings: an integer length then the bytes; booleans: one ASCII byte, '1' or '0';
* tensors: version 2, four integer dimensions, then raw little-endian float32 data;
* alias tensors (views into a parameter tensor): version 1 then four integer dimensions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .errors import DatFormatError

# dlib encodes infinities and NaN as these exponents (dlib/float_details.h).
_SPECIAL_EXPONENTS = {32000: float("inf"), 32001: float("-inf"), 32002: float("nan")}


class DatReader:
    """Sequential reader over the bytes of a dlib .dat file."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self.pos = 0

    @property
    def at_end(self) -> bool:
        return self.pos == len(self._data)

    def _take(self, count: int) -> memoryview:
        end = self.pos + count
        if count < 0 or end > len(self._data):
            raise DatFormatError(f"Unexpected end of file at byte {self.pos}.")
        chunk = self._data[self.pos : end]
        self.pos = end
        return chunk

    def integer(self) -> int:
        header = self._take(1)[0]
        size = header & 0x0F
        if size > 8 or header & 0x70:
            raise DatFormatError(f"Bad integer header {header:#x} at byte {self.pos - 1}.")
        value = int.from_bytes(self._take(size), "little")
        return -value if header & 0x80 else value

    def real(self) -> float:
        mantissa = self.integer()
        exponent = self.integer()
        if exponent in _SPECIAL_EXPONENTS:
            return _SPECIAL_EXPONENTS[exponent]
        return float(mantissa) * 2.0**exponent

    def string(self) -> str:
        length = self.integer()
        if length > 256:
            raise DatFormatError(f"Implausible string length {length} at byte {self.pos}.")
        return bytes(self._take(length)).decode("ascii", errors="replace")

    def boolean(self) -> bool:
        char = bytes(self._take(1))
        if char not in (b"0", b"1"):
            raise DatFormatError(f"Bad boolean {char!r} at byte {self.pos - 1}.")
        return char == b"1"

    def expect_version(self, expected: int, what: str) -> None:
        version = self.integer()
        if version != expected:
            raise DatFormatError(f"{what}: version {version}, expected {expected}.")

    def tensor(self) -> npt.NDArray[np.float32]:
        """A tensor as an (n, k, nr, nc) float32 array (a copy, independent of the file)."""
        self.expect_version(2, "tensor")
        shape = tuple(self.integer() for _ in range(4))
        if any(d < 0 for d in shape):
            raise DatFormatError(f"Negative tensor dimension {shape}.")
        count = int(np.prod(shape))
        raw = self._take(4 * count)
        return np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(shape)

    def alias_shape(self) -> tuple[int, int, int, int]:
        self.expect_version(1, "alias_tensor")
        n, k, nr, nc = (self.integer() for _ in range(4))
        return n, k, nr, nc
