"""Backends register a factory under a name; an engine builds each one once, when first needed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from .errors import UnknownBackendError

Kind = Literal["detector", "landmarker", "aligner", "embedder", "liveness", "pad"]
Factory = Callable[["BackendContext"], Any]


@dataclass(frozen=True)
class BackendContext:
    """What a factory may use: thread count and a cache folder for converted models."""

    threads: int
    cache_dir: str | None
    engine: Any = None  # the FaceEngine being built: composite backends (liveness) reuse its parts


_FACTORIES: dict[tuple[Kind, str], Factory] = {}


def register(kind: Kind, name: str, factory: Factory, *, replace: bool = False) -> None:
    """Register a backend factory. Factories must be cheap to register: load nothing here."""
    key = (kind, name)
    if key in _FACTORIES and not replace:
        raise ValueError(f"A {kind} backend named {name!r} is already registered.")
    _FACTORIES[key] = factory


def available(kind: Kind) -> list[str]:
    _ensure_builtin()
    return sorted(name for k, name in _FACTORIES if k == kind)


def create(kind: Kind, name: str, context: BackendContext) -> Any:
    _ensure_builtin()
    try:
        factory = _FACTORIES[(kind, name)]
    except KeyError:
        raise UnknownBackendError(
            f"No {kind} backend named {name!r}; available: {available(kind)}"
        ) from None
    return factory(context)


_LOADERS: list[Callable[[], None]] = []
_BUILTIN_LOADED = False


def add_loader(loader: Callable[[], None]) -> None:
    """Register a function that registers backends when first needed. The package installs the
    built-in backends' loader (``backends.register_builtin``): this module imports no backend."""
    _LOADERS.append(loader)
    if _BUILTIN_LOADED:
        loader()


def _ensure_builtin() -> None:
    """Run the backend loaders once (registration only, they load no model)."""
    global _BUILTIN_LOADED
    if _BUILTIN_LOADED:
        return
    _BUILTIN_LOADED = True
    for loader in list(_LOADERS):
        loader()
