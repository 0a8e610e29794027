"""Errors of the face engine. Each carries a stable ``code`` the app can map to a message."""

from __future__ import annotations


class FaceEngineError(Exception):
    code = "face_engine_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message


class ImageError(FaceEngineError):
    code = "bad_image"


class ImageTooLargeError(ImageError):
    code = "image_too_large"


class UnsupportedImageFormatError(ImageError):
    code = "unsupported_format"


class CorruptImageError(ImageError):
    code = "corrupt_image"


class ModelMismatchError(FaceEngineError):
    """Two embeddings of different models were compared: their distances mean nothing."""

    code = "model_mismatch"


class UnknownBackendError(FaceEngineError):
    code = "unknown_backend"


class NoFaceError(FaceEngineError):
    code = "no_face"


class VideoError(FaceEngineError):
    code = "bad_video"
