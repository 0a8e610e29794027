"""Errors of the dlib-to-ONNX conversion."""

from __future__ import annotations

from ..errors import FaceEngineError


class DatFormatError(FaceEngineError):
    """The .dat file is not the dlib face ResNet this converter knows, or it is damaged."""

    code = "model_conversion_failed"
