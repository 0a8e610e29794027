"""Cross-age adaptation of face descriptors (issue 8).

A learned linear metric, trained by ``training/train_cross_age.py`` on top of the engine's
descriptors and shipped as a small parameter file under ``params/``; applying it needs NumPy
only, and adapted descriptors are compared by Euclidean distance like the base ones. They carry
their own model id (base id + ``+xage1``), so they are never compared with others.
"""

from __future__ import annotations

import functools

from .templates import MultiTemplateMatch, Template, TemplateScore, match_templates
from .transform import PARAMS_DIR, CrossAgeModel, load

DEFAULT_SUFFIX = "+xage1"


def available(model_id: str) -> bool:
    """Whether parameters for ``model_id`` ship with this package."""
    return (PARAMS_DIR / f"{model_id}.npz").exists()


@functools.cache
def model_for(model_id: str) -> CrossAgeModel | None:
    """The adaptation whose *output* id is ``model_id`` (loaded once), or None."""
    return load(model_id) if available(model_id) else None


__all__ = [
    "DEFAULT_SUFFIX", "CrossAgeModel", "MultiTemplateMatch", "Template", "TemplateScore",
    "available", "load", "match_templates", "model_for",
]
