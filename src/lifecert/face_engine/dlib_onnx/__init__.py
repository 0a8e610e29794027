"""dlib's face ResNet converted to ONNX and run by ONNX Runtime (the default embedder).

``reader`` parses dlib's serialization, ``network`` checks the layer structure against the
expected network, ``graph`` writes the ONNX graph, ``cache`` keeps the converted file keyed by
the .dat's SHA-256, ``embedder`` is the backend. Importing this package loads no model and no
ONNX library: the registry imports it only to call ``register_backends``.
"""

from __future__ import annotations

from typing import Any

BACKEND_NAME = "onnx_resnet"
# The app's FaceSettings spell backend names with a hyphen; both resolve to this backend.
ALIASES = ("onnx-resnet",)


def _factory(context: Any) -> object:
    from .embedder import OnnxResnetEmbedder

    # The engine's cache_dir is the folder for converted models; None: ~/.cache/lifecert/models.
    return OnnxResnetEmbedder(threads=context.threads, cache_dir=context.cache_dir)


def register_backends() -> None:
    from ..registry import register

    for name in (BACKEND_NAME, *ALIASES):
        register("embedder", name, _factory, replace=True)


__all__ = ["BACKEND_NAME", "register_backends"]
