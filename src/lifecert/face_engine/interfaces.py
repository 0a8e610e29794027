"""Small backend interfaces of the face engine.

Backends register by name (see ``registry``) and are loaded once by an engine, never at import.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

# A face chip: an aligned RGB crop, uint8, shape (size, size, 3). dlib's ResNet uses 150x150.
Chip = npt.NDArray[np.uint8]


@runtime_checkable
class Embedder(Protocol):
    """Turns aligned face chips into descriptors.

    ``model_id`` names the exact weights and preprocessing: descriptors from different ids are never
    compared. ``chip_size`` and ``chip_padding`` tell the aligner which chip this model expects.
    """

    model_id: str
    chip_size: int
    chip_padding: float

    def embed_chips(self, chips: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        """chips: (N, chip_size, chip_size, 3) uint8 RGB -> (N, D) float32 descriptors."""
        ...
