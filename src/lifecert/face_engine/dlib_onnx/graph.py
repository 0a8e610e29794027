"""Build an ONNX graph computing exactly what dlib's face ResNet computes.

dlib semantics kept here: convolutions and pools without padding when strided; ``add_prev`` of
tensors of different sizes zero-pads the smaller one at the end of each axis (dlib's tt::add);
``affine`` is a per-channel scale and shift, folded into the convolution before it; the input
layer maps a pixel p to (p - mean) / 256, folded into the first convolution when asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .network import Layer, ParsedNetwork

OPSET = 17
INPUT_NAME = "chips"
OUTPUT_NAME = "descriptors"


@dataclass
class _Builder:
    nodes: list[onnx.NodeProto] = field(default_factory=list)
    initializers: list[onnx.TensorProto] = field(default_factory=list)
    counter: int = 0

    def name(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}_{self.counter}"

    def const(self, stem: str, value: np.ndarray) -> str:
        name = self.name(stem)
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def node(self, op: str, inputs: list[str], **attrs: Any) -> str:
        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out


@dataclass
class _State:
    """The current tensor's name and its (channels, height, width)."""

    name: str
    shape: tuple[int, int, int]


def build_onnx(net: ParsedNetwork, *, fold_input: bool = True) -> onnx.ModelProto:
    b = _Builder()
    x = b.node("Cast", [INPUT_NAME], to=TensorProto.FLOAT)
    x = b.node("Transpose", [x], perm=[0, 3, 1, 2])  # NHWC uint8 chips -> NCHW
    mean = np.array(net.input_mean, dtype=np.float32)
    if not fold_input:
        x = b.node("Sub", [x, b.const("mean", mean.reshape(1, 3, 1, 1))])
        x = b.node("Mul", [x, b.const("scale", np.array(1 / 256, dtype=np.float32))])
    state = _State(x, (3, net.input_size, net.input_size))
    layers = net.layers
    tags: dict[int, _State] = {}
    for index, layer in enumerate(layers):
        if layer.kind == "affine":
            if index == 0 or layers[index - 1].kind != "con":
                raise ValueError(f"Layer {index}: affine without a convolution before it")
            continue  # folded into the preceding convolution
        if layer.kind == "con":
            following = layers[index + 1] if index + 1 < len(layers) else None
            affine = following if following is not None and following.kind == "affine" else None
            input_mean = mean if fold_input and index == 0 else None
            state = _conv(b, state, layer, affine, input_mean)
        elif layer.kind == "tag":
            tags[layer.tag] = state
        elif layer.kind == "skip":
            state = tags[layer.tag]
        elif layer.kind == "add_prev":
            state = _add_prev(b, state, tags[layer.tag])
        else:
            state = _simple(b, state, layer)
    graph = helper.make_graph(
        b.nodes, "dlib_face_recognition_resnet_model_v1",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.UINT8,
                                       ["batch", net.input_size, net.input_size, 3])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["batch", 128])],
        b.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="lifecert.dlib_onnx")
    model.ir_version = 8  # old enough for any onnxruntime that supports opset 17
    onnx.checker.check_model(model)
    return model


def _conv(b: _Builder, state: _State, layer: Layer, affine: Layer | None,
          input_mean: np.ndarray | None) -> _State:
    # Fold in float64, round once to float32: the closest float32 to dlib's two-step result.
    w = layer.weights["w"].astype(np.float64)
    bias = layer.weights["b"].astype(np.float64)
    if input_mean is not None:
        # conv((x - m) / 256) = conv_{w/256}(x) - sum(w * m) / 256; exact in real arithmetic
        # because this convolution has no padding (no border pixels of value 0 - m).
        assert layer.padding == 0
        bias = bias - np.einsum("ocij,c->o", w, input_mean.astype(np.float64)) / 256
        w = w / 256
    if affine is not None:
        gamma = affine.weights["gamma"].astype(np.float64)
        w = w * gamma[:, None, None, None]
        bias = bias * gamma + affine.weights["beta"]
    p, s, k = layer.padding, layer.stride, layer.size
    out = b.node("Conv", [state.name, b.const("w", w.astype(np.float32)),
                          b.const("b", bias.astype(np.float32))],
                 kernel_shape=[k, k], strides=[s, s], pads=[p, p, p, p])
    return _State(out, (layer.filters, *_pooled(state.shape[1:], k, s, p)))


def _pooled(hw: tuple[int, ...], k: int, s: int, p: int) -> tuple[int, int]:
    h, w = ((d + 2 * p - k) // s + 1 for d in hw)
    return h, w


def _simple(b: _Builder, state: _State, layer: Layer) -> _State:
    c, h, w = state.shape
    if layer.kind == "relu":
        return _State(b.node("Relu", [state.name]), state.shape)
    if layer.kind in ("max_pool", "avg_pool"):
        op = "MaxPool" if layer.kind == "max_pool" else "AveragePool"
        k, s = layer.size, layer.stride
        out = b.node(op, [state.name], kernel_shape=[k, k], strides=[s, s])
        return _State(out, (c, *_pooled((h, w), k, s, 0)))
    if layer.kind == "avg_pool_all":
        pooled = b.node("GlobalAveragePool", [state.name])
        return _State(b.node("Flatten", [pooled], axis=1), (c, 1, 1))
    if layer.kind == "fc":
        b.node("MatMul", [state.name, b.const("fc_w", layer.weights["w"])])
        b.nodes[-1].output[0] = OUTPUT_NAME  # the graph's output name
        return _State(OUTPUT_NAME, (layer.filters, 1, 1))
    raise ValueError(f"Unsupported layer kind {layer.kind!r}")


def _add_prev(b: _Builder, a: _State, other: _State) -> _State:
    """dlib's add_prev: the sum over the larger extent of each axis, missing values being 0."""
    shape = tuple(max(d1, d2) for d1, d2 in zip(a.shape, other.shape, strict=True))
    left, right = _pad_to(b, a, shape), _pad_to(b, other, shape)
    return _State(b.node("Add", [left, right]), (shape[0], shape[1], shape[2]))


def _pad_to(b: _Builder, state: _State, shape: tuple[int, ...]) -> str:
    grow = [want - have for want, have in zip(shape, state.shape, strict=True)]
    if not any(grow):
        return state.name
    pads = np.array([0, 0, 0, 0, 0, *grow], dtype=np.int64)  # begins (N,C,H,W), then ends
    return b.node("Pad", [state.name, b.const("pads", pads)], mode="constant")


def macs_per_face(net: ParsedNetwork) -> int:
    """Multiply-accumulates of one forward pass (convolutions and the projection)."""
    total = 0
    shape: tuple[int, ...] = (3, net.input_size, net.input_size)
    tags: dict[int, tuple[int, ...]] = {}
    for layer in net.layers:
        c, h, w = shape
        if layer.kind == "con":
            oh, ow = _pooled((h, w), layer.size, layer.stride, layer.padding)
            total += layer.filters * oh * ow * c * layer.size**2
            shape = (layer.filters, oh, ow)
        elif layer.kind in ("max_pool", "avg_pool"):
            shape = (c, *_pooled((h, w), layer.size, layer.stride, 0))
        elif layer.kind == "tag":
            tags[layer.tag] = shape
        elif layer.kind == "skip":
            shape = tags[layer.tag]
        elif layer.kind == "add_prev":
            shape = tuple(max(x, y) for x, y in zip(shape, tags[layer.tag], strict=True))
        elif layer.kind == "fc":
            total += layer.weights["w"].size
    return total
