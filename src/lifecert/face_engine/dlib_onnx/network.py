"""The expected layer structure of dlib's face ResNet, and a parser that checks a .dat against it.

The structure is ``anet_type`` of dlib's examples/dnn_face_recognition_ex.cpp, written here from
the input up. dlib serializes a network recursively: each wrapper writes its version, then its
subnetwork, then its own layer details. So a file holds the loss, then every wrapper's version
from the output down (tags and skips write only that version), then the input layer, then each
real layer's details from the input up, each followed by its cached training state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .errors import DatFormatError
from .reader import DatReader

Array = npt.NDArray[np.float32]


@dataclass
class Layer:
    """One layer of the network. ``kind`` is con, affine, relu, max_pool, avg_pool, avg_pool_all,
    fc, tag, skip or add_prev; ``tag`` names the tag a tag/skip/add_prev layer refers to."""

    kind: str
    filters: int = 0
    size: int = 0
    stride: int = 1
    padding: int = 0
    tag: int = 0
    weights: dict[str, Array] = field(default_factory=dict)

    @property
    def is_wrapper_only(self) -> bool:
        """Tags and skips hold no details in the file, only a version number."""
        return self.kind in ("tag", "skip")


@dataclass
class ParsedNetwork:
    input_mean: tuple[float, float, float]  # avg_red, avg_green, avg_blue
    input_size: int
    layers: list[Layer]


def _con(filters: int, size: int, stride: int) -> Layer:
    # dlib's default padding: none for strided convolutions, "same" otherwise.
    return Layer("con", filters, size, stride, 0 if stride != 1 else size // 2)


def _block(filters: int, stride: int) -> list[Layer]:
    return [_con(filters, 3, stride), Layer("affine"), Layer("relu"), _con(filters, 3, 1),
            Layer("affine")]


def _ares(filters: int) -> list[Layer]:
    return [Layer("tag", tag=1), *_block(filters, 1), Layer("add_prev", tag=1), Layer("relu")]


def _ares_down(filters: int) -> list[Layer]:
    return [Layer("tag", tag=1), *_block(filters, 2), Layer("tag", tag=2), Layer("skip", tag=1),
            Layer("avg_pool", size=2, stride=2), Layer("add_prev", tag=2), Layer("relu")]


def expected_layers() -> list[Layer]:
    """anet_type from the input up: stem, levels 4..0, global average pool, 128-d projection."""
    layers = [_con(32, 7, 2), Layer("affine"), Layer("relu"), Layer("max_pool", size=3, stride=2)]
    # (filters, starts with a strided ares_down, plain ares blocks): alevel4 .. alevel0.
    for filters, down, plain in ((32, False, 3), (64, True, 3), (128, True, 2), (256, True, 2),
                                 (256, True, 0)):
        if down:
            layers += _ares_down(filters)
        for _ in range(plain):
            layers += _ares(filters)
    return [*layers, Layer("avg_pool_all"), Layer("fc", filters=128)]


INPUT_SIZE = 150
_LOSS_NAME = "loss_metric_2"


def parse_dat(data: bytes) -> ParsedNetwork:
    """Parse a dlib face ResNet .dat, raising DatFormatError on any structural difference."""
    reader = DatReader(data)
    reader.expect_version(1, "loss layer")
    if (name := reader.string()) != _LOSS_NAME:
        raise DatFormatError(f"Loss layer is {name!r}, expected {_LOSS_NAME!r}.")
    reader.real(), reader.real()  # margin and distance threshold: training only
    layers = expected_layers()
    _check_versions(reader, layers)
    mean = _read_input_layer(reader)
    for index, layer in enumerate(layers):
        if not layer.is_wrapper_only:
            _read_details(reader, layer, index)
            _skip_training_state(reader, first=index == 0)
    if not reader.at_end:
        raise DatFormatError(f"{len(data) - reader.pos} unexpected bytes after the network.")
    _check_channels(layers)
    return ParsedNetwork(mean, INPUT_SIZE, layers)


def _check_versions(reader: DatReader, layers: list[Layer]) -> None:
    """Wrapper versions, output first: 1 for tags and skips, 2 for layers, 3 for the first one."""
    expected = [1 if layer.is_wrapper_only else 2 for layer in reversed(layers)]
    expected[-1] = 3  # the layer on top of the input layer (add_layer's input specialisation)
    found = [reader.integer() for _ in expected]
    if found != expected:
        at = next(i for i, (a, b) in enumerate(zip(found, expected, strict=True)) if a != b)
        raise DatFormatError(f"Layer structure differs from dlib's face ResNet at wrapper {at}.")


def _read_input_layer(reader: DatReader) -> tuple[float, float, float]:
    if (name := reader.string()) != "input_rgb_image_sized":
        raise DatFormatError(f"Input layer is {name!r}, expected input_rgb_image_sized.")
    mean = (reader.real(), reader.real(), reader.real())
    rows, cols = reader.integer(), reader.integer()
    if (rows, cols) != (INPUT_SIZE, INPUT_SIZE):
        raise DatFormatError(f"Input is {rows}x{cols}, expected {INPUT_SIZE}x{INPUT_SIZE}.")
    return mean


def _skip_training_state(reader: DatReader, *, first: bool) -> None:
    """Three booleans and three (normally empty) tensors; the first layer adds an integer."""
    for _ in range(3):
        reader.boolean()
    for _ in range(3):
        reader.tensor()
    if first:
        reader.integer()  # sample expansion factor of the input layer


_NAMES = {
    "con": "con_4", "affine": "affine_", "relu": "relu_", "max_pool": "max_pool_2",
    "avg_pool": "avg_pool_2", "avg_pool_all": "avg_pool_2", "fc": "fc_2", "add_prev": "add_prev_",
}


def _read_details(reader: DatReader, layer: Layer, index: int) -> None:
    name = reader.string()
    if name != _NAMES[layer.kind]:
        raise DatFormatError(f"Layer {index} is {name!r}, expected {_NAMES[layer.kind]!r}.")
    if layer.kind == "con":
        _read_con(reader, layer, index)
    elif layer.kind == "affine":
        _read_affine(reader, layer, index)
    elif layer.kind in ("max_pool", "avg_pool", "avg_pool_all"):
        _read_pool(reader, layer, index)
    elif layer.kind == "fc":
        _read_fc(reader, layer, index)


def _expect(found: object, expected: object, what: str, index: int) -> None:
    if found != expected:
        raise DatFormatError(f"Layer {index}: {what} is {found}, expected {expected}.")


def _read_con(reader: DatReader, layer: Layer, index: int) -> None:
    params = reader.tensor().ravel()
    geometry = [reader.integer() for _ in range(7)]  # filters, nr, nc, stride y/x, padding y/x
    expected = [layer.filters, layer.size, layer.size, layer.stride, layer.stride,
                layer.padding, layer.padding]
    _expect(geometry, expected, "convolution geometry", index)
    filters_shape, bias_shape = reader.alias_shape(), reader.alias_shape()
    for _ in range(4):
        reader.real()  # learning-rate and weight-decay multipliers
    n_weights = int(np.prod(filters_shape))
    _expect(filters_shape[0], layer.filters, "filter count", index)
    _expect(bias_shape, (1, layer.filters, 1, 1), "bias shape", index)
    _expect(params.size, n_weights + layer.filters, "parameter count", index)
    layer.weights["w"] = params[:n_weights].reshape(filters_shape)
    layer.weights["b"] = params[n_weights:].copy()


def _read_affine(reader: DatReader, layer: Layer, index: int) -> None:
    params = reader.tensor().ravel()
    gamma, beta = reader.alias_shape(), reader.alias_shape()
    _expect(reader.integer(), 0, "affine mode (0 = per channel)", index)
    _expect(gamma, beta, "gamma/beta shapes", index)
    _expect(params.size, 2 * gamma[1], "parameter count", index)
    layer.weights["gamma"] = params[: gamma[1]].copy()
    layer.weights["beta"] = params[gamma[1] :].copy()


def _read_pool(reader: DatReader, layer: Layer, index: int) -> None:
    geometry = [reader.integer() for _ in range(6)]  # nr, nc, stride y/x, padding y/x
    if layer.kind == "avg_pool_all":
        _expect(geometry, [0, 0, 1, 1, 0, 0], "global pooling geometry", index)
        return
    expected = [layer.size, layer.size, layer.stride, layer.stride, 0, 0]
    _expect(geometry, expected, "pooling geometry", index)


def _read_fc(reader: DatReader, layer: Layer, index: int) -> None:
    outputs, inputs = reader.integer(), reader.integer()
    _expect(outputs, layer.filters, "output count", index)
    params = reader.tensor().ravel()
    weights, _biases = reader.alias_shape(), reader.alias_shape()
    _expect(reader.integer(), 1, "bias mode (1 = no bias)", index)
    for _ in range(4):
        reader.real()
    _expect(weights, (inputs, outputs, 1, 1), "weight shape", index)
    _expect(params.size, inputs * outputs, "parameter count", index)
    # dlib computes output = input (N x inputs) @ W with W stored row-major as inputs x outputs.
    layer.weights["w"] = params.reshape(inputs, outputs).copy()


def _check_channels(layers: list[Layer]) -> None:
    """Each convolution must consume the channel count its input produces."""
    channels = 3
    tags: dict[int, int] = {}
    for index, layer in enumerate(layers):
        if layer.kind == "con":
            _expect(layer.weights["w"].shape[1], channels, "input channels", index)
            channels = layer.filters
        elif layer.kind == "affine":
            _expect(layer.weights["gamma"].size, channels, "affine channels", index)
        elif layer.kind == "tag":
            tags[layer.tag] = channels
        elif layer.kind == "skip":
            channels = tags[layer.tag]
        elif layer.kind == "add_prev":
            channels = max(channels, tags[layer.tag])
        elif layer.kind == "fc":
            _expect(layer.weights["w"].shape[0], channels, "fc inputs", index)
