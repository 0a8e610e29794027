"""Work done once per frame of a check (the frame budget, issue 16).

A face check runs liveness, passive PAD, quality and matching over the same frames. Each used
to detect (and mark) the face again. ``FrameMemo`` wraps the detector, landmarker and aligner
for the frames of ONE check: the first call on a frame computes, every later one reads the
result. Entries are keyed by the image object, which the memo keeps alive, so an id is never
reused while the memo exists. ``LazyFrames`` decodes a frame only when a stage asks for it, so
frames no stage looks at cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from .interfaces import Aligner, Detector, Landmarker, TimedFrame
from .types import Face, Landmarks, RGBImage


class FrameMemo:
    """Detections, landmarks and chips of one check's frames, each computed once."""

    def __init__(self) -> None:
        self._keep: dict[int, RGBImage] = {}
        self._results: dict[tuple[Any, ...], Any] = {}
        self.computed: dict[str, int] = {}  # calls that did the work, by stage
        self.reused: dict[str, int] = {}

    def once(
        self, stage: str, image: RGBImage, extra: tuple[Any, ...], work: Callable[[], Any]
    ) -> Any:
        self._keep[id(image)] = image
        key = (stage, id(image), *extra)
        if key in self._results:
            self.reused[stage] = self.reused.get(stage, 0) + 1
            return self._results[key]
        result = work()
        self._results[key] = result
        self.computed[stage] = self.computed.get(stage, 0) + 1
        return result

    def detector(self, inner: Detector) -> Detector:
        return _MemoDetector(inner, self)

    def landmarker(self, inner: Landmarker) -> Landmarker:
        return _MemoLandmarker(inner, self)

    def aligner(self, inner: Aligner) -> Aligner:
        return _MemoAligner(inner, self)


def _face_key(face: Face) -> tuple[float, ...]:
    box = face.bbox
    return (round(box.left, 2), round(box.top, 2), round(box.right, 2), round(box.bottom, 2))


class _MemoDetector:
    def __init__(self, inner: Detector, memo: FrameMemo) -> None:
        self.inner, self.memo, self.name = inner, memo, inner.name

    def detect(self, image: RGBImage) -> list[Face]:
        found = self.memo.once(f"detect:{self.name}", image, (), lambda: self.inner.detect(image))
        return list(found)


class _MemoLandmarker:
    def __init__(self, inner: Landmarker, memo: FrameMemo) -> None:
        self.inner, self.memo, self.name = inner, memo, inner.name

    def landmarks(self, image: RGBImage, face: Face) -> Landmarks | None:
        result: Landmarks | None = self.memo.once(
            "landmarks", image, _face_key(face), lambda: self.inner.landmarks(image, face)
        )
        return result


class _MemoAligner:
    def __init__(self, inner: Aligner, memo: FrameMemo) -> None:
        self.inner, self.memo, self.name = inner, memo, inner.name

    def chips(
        self, image: RGBImage, faces: Sequence[Face], size: int, padding: float
    ) -> npt.NDArray[np.uint8]:
        key = (size, padding, *(k for f in faces for k in _face_key(f)))
        chips: npt.NDArray[np.uint8] = self.memo.once(
            "chips", image, key, lambda: self.inner.chips(image, faces, size, padding)
        )
        return chips


class LazyFrames(Sequence[TimedFrame]):
    """The check's frames as ``(image, seconds)``, each decoded on first use and kept."""

    def __init__(
        self, data: Sequence[bytes], seconds: Sequence[float], decode: Callable[[bytes], RGBImage]
    ) -> None:
        if len(data) != len(seconds):
            raise ValueError("one capture time per frame")
        self._data, self._seconds, self._decode = data, list(seconds), decode
        self._images: dict[int, RGBImage] = {}

    def __len__(self) -> int:
        return len(self._data)

    @overload
    def __getitem__(self, index: int) -> TimedFrame: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[TimedFrame]: ...

    def __getitem__(self, index: int | slice) -> TimedFrame | Sequence[TimedFrame]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        image = self._images.get(index)
        if image is None:
            image = self._images[index] = self._decode(self._data[index])
        return image, self._seconds[index]

    def time(self, index: int) -> float:
        """The capture time without decoding the frame."""
        return self._seconds[index]

    @property
    def decoded(self) -> int:
        return len(self._images)
