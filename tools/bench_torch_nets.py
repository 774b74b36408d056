"""PyTorch twins of a kerasgan preset's networks, for the PyTorch loops of tools/bench.py.

`torch_networks(gan)` rebuilds `gan.generator` and `gan.discriminator` in
`torch.nn`, layer for layer (NCHW layout, the same shapes and parameter
counts, checked on a dummy batch), from the built Keras models, so every
preset that is a chain of the supported layers gets its PyTorch twin
without a hand-written copy; `load_keras_weights` copies the Keras values in.
Importing this module does not import torch; the functions do.

Differences from Keras that do not change the work per step:
* A "same"-padded convolution whose total padding is odd pads one more
  row/column at the bottom/right in Keras; PyTorch pads symmetrically and
  drops the extra row (same output shape, the usual PyTorch spelling).
* Reshape/Flatten order channels first (NCHW), a fixed permutation of the
  neighbouring dense units.
"""

import functools
import math
import types

# Torch twins of the Keras activations the preset networks use.
_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softplus", "leaky_relu", "elu", "gelu")




def _activation(name):
    import torch.nn as nn

    modules = {
        "linear": None,
        "relu": nn.ReLU,
        "sigmoid": nn.Sigmoid,
        "tanh": nn.Tanh,
        "softplus": nn.Softplus,
        "leaky_relu": lambda: nn.LeakyReLU(0.2),
        "elu": nn.ELU,
        "gelu": nn.GELU,
    }
    if name not in modules:
        raise ValueError(
            f"Expected a Keras activation in {_ACTIVATIONS}. Received: {name!r}. "
            "Add its PyTorch twin to tools/bench_torch.py."
        )
    make = modules[name]
    return None if make is None else make()


def _activation_name(fn):
    import keras

    name = keras.activations.serialize(fn)
    if isinstance(name, dict):
        name = name.get("config", {}).get("name", name.get("class_name"))
    return name


def _same_padding(size, kernel, stride, dilation=1):
    """Total "same" padding of TensorFlow/Keras along one axis."""
    out = -(-size // stride)
    return max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)


def _nchw(shape):
    """A Keras (batch-less) NHWC shape as PyTorch's NCHW; other ranks unchanged."""
    shape = tuple(int(d) for d in shape)
    return (shape[-1],) + shape[:-1] if len(shape) == 3 else shape


class Unsupported(ValueError):
    """A layer, loss or option the PyTorch twins do not implement."""


def convert_layer(layer, in_shape, out_shape, tied_sources):
    """The torch module of one Keras layer (None for an identity)."""
    import torch.nn as nn

    kind = type(layer).__name__
    cfg = layer.get_config()
    act = None
    if "activation" in cfg and hasattr(layer, "activation"):
        act = _activation(_activation_name(layer.activation))

    def with_act(module):
        return module if act is None else nn.Sequential(module, act)

    if kind == "InputLayer":
        return None
    if kind in ("Dense", "TiedDense"):
        fan_in, units = (int(d) for d in layer.kernel.shape)
        if kind == "TiedDense" and layer.is_tied:
            source = tied_sources[layer._tied_to]
            return with_act(_torch_module_classes().TiedLinear(source, units, cfg["use_bias"]))
        return with_act(nn.Linear(fan_in, units, bias=cfg["use_bias"]))
    if kind in ("Conv2D", "TiedConv2D", "PatchConv2D"):  # PatchConv2D: the same convolution
        if cfg.get("data_format", "channels_last") != "channels_last":
            raise Unsupported(f"layer '{layer.name}': data_format {cfg['data_format']}")
        kh, kw, cin, cout = (int(d) for d in layer.kernel.shape)
        stride, dilation = tuple(cfg["strides"]), tuple(cfg["dilation_rate"])
        pad = None  # asymmetric padding module, if one is needed
        if cfg["padding"] == "valid":
            padding = (0, 0)
        else:
            totals = [_same_padding(in_shape[i], k, stride[i], dilation[i])
                      for i, k in enumerate((kh, kw))]
            padding = tuple(-(-t // 2) for t in totals)
            if any(t % 2 and s == 1 for t, s in zip(totals, stride)):
                # Stride 1 keeps the extra row: pad as Keras does, then convolve unpadded.
                pad = nn.ZeroPad2d((totals[1] // 2, totals[1] - totals[1] // 2,
                                    totals[0] // 2, totals[0] - totals[0] // 2))
                padding = (0, 0)
        if kind == "TiedConv2D" and layer.is_tied:
            conv = _torch_module_classes().TiedConv2d(
                tied_sources[layer._tied_to], cout, stride, padding, dilation, cfg["groups"],
                cfg["use_bias"])
        else:
            conv = nn.Conv2d(cin * cfg["groups"], cout, (kh, kw), stride=stride, padding=padding,
                             dilation=dilation, groups=cfg["groups"], bias=cfg["use_bias"])
        return with_act(conv if pad is None else nn.Sequential(pad, conv))
    if kind == "Conv2DTranspose":
        kh, kw, cout, cin = (int(d) for d in layer.kernel.shape)
        stride = tuple(cfg["strides"])
        padding, output_padding = [], []
        for i, k in enumerate((kh, kw)):
            base = (in_shape[i] - 1) * stride[i] + k  # PyTorch's size with no padding
            diff = base - out_shape[i]
            if diff < 0:
                raise Unsupported(f"layer '{layer.name}': output larger than the unpadded size")
            p = -(-diff // 2)
            padding.append(p)
            output_padding.append(2 * p - diff)
        return with_act(nn.ConvTranspose2d(
            cin, cout, (kh, kw), stride=stride, padding=tuple(padding),
            output_padding=tuple(output_padding), bias=cfg["use_bias"]))
    if kind == "BatchNormalization":
        if cfg["axis"] not in (-1, [-1], len(in_shape), [len(in_shape)]):
            raise Unsupported(f"layer '{layer.name}': BatchNormalization axis {cfg['axis']}")
        if cfg["center"] != cfg["scale"]:
            raise Unsupported(f"layer '{layer.name}': center != scale")
        channels = int(in_shape[-1])
        bn = nn.BatchNorm2d if len(in_shape) == 3 else nn.BatchNorm1d
        return bn(channels, eps=cfg["epsilon"], momentum=1.0 - cfg["momentum"], affine=cfg["scale"])
    if kind == "ReLU":
        if cfg.get("max_value") is not None or cfg.get("threshold") or cfg.get("negative_slope"):
            raise Unsupported(f"layer '{layer.name}': ReLU with options {cfg}")
        return nn.ReLU()
    if kind == "LeakyReLU":
        return nn.LeakyReLU(cfg["negative_slope"])
    if kind == "Activation":
        return act
    if kind == "Reshape":
        return _torch_module_classes().Reshape(_nchw(out_shape))
    if kind == "Flatten":
        return nn.Flatten()
    if kind == "Dropout":
        return nn.Dropout(cfg["rate"])
    if kind == "PixelShuffle":
        return nn.PixelShuffle(cfg["block_size"])
    if kind == "UpSampling2D":
        if cfg["interpolation"] != "nearest":
            raise Unsupported(f"layer '{layer.name}': interpolation {cfg['interpolation']}")
        return nn.Upsample(scale_factor=tuple(float(s) for s in cfg["size"]), mode="nearest")
    if kind == "MaxPooling2D":
        pool, stride = tuple(cfg["pool_size"]), tuple(cfg["strides"] or cfg["pool_size"])
        if cfg["padding"] != "valid":
            raise Unsupported(f"layer '{layer.name}': MaxPooling2D padding {cfg['padding']}")
        return nn.MaxPool2d(pool, stride)
    if kind == "ZeroPadding2D":
        (top, bottom), (left, right) = cfg["padding"]
        return nn.ZeroPad2d((left, right, top, bottom))
    if kind == "Cropping2D":
        (top, bottom), (left, right) = cfg["cropping"]
        return _torch_module_classes().Crop(top, bottom, left, right)
    raise Unsupported(f"layer '{layer.name}' of type {kind}")


@functools.lru_cache(maxsize=None)
def _torch_module_classes():
    """The module classes the twins need beyond torch.nn (defined once torch is imported)."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class TiedConv2d(nn.Module):
        """A convolution with another module's weight (not registered here) and its own bias."""

        def __init__(self, source, out_channels, stride, padding, dilation, groups, bias):
            super().__init__()
            self._source = [source]  # a list: the weight is counted and optimised by its owner
            self.stride, self.padding = stride, padding
            self.dilation, self.groups = dilation, groups
            self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None

        @property
        def tied_weight(self):
            return self._source[0].weight

        def forward(self, x):
            return F.conv2d(x, self.tied_weight, self.bias, self.stride, self.padding,
                            self.dilation, self.groups)

    class TiedLinear(nn.Module):
        """A linear layer with another module's weight (not registered here) and its own bias."""

        def __init__(self, source, out_features, bias):
            super().__init__()
            self._source = [source]
            self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None

        @property
        def tied_weight(self):
            return self._source[0].weight

        def forward(self, x):
            return F.linear(x, self.tied_weight, self.bias)

    class Reshape(nn.Module):
        def __init__(self, shape):
            super().__init__()
            self.shape = tuple(shape)

        def forward(self, x):
            return x.reshape((x.shape[0],) + self.shape)

    class Crop(nn.Module):
        def __init__(self, top, bottom, left, right):
            super().__init__()
            self.box = (top, bottom, left, right)

        def forward(self, x):
            top, bottom, left, right = self.box
            return x[:, :, top:x.shape[2] - bottom, left:x.shape[3] - right]

    return types.SimpleNamespace(TiedConv2d=TiedConv2d, TiedLinear=TiedLinear, Reshape=Reshape,
                                 Crop=Crop)


def _chain_layers(model):
    """The layers of a functional `model`, checked to form a single chain."""
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    previous = None
    for layer in layers:
        nodes = layer._inbound_nodes
        if len(nodes) != 1:
            raise Unsupported(f"layer '{layer.name}' is called {len(nodes)} times")
        parents = [t._keras_history.operation for t in nodes[0].input_tensors]
        expected = [previous] if previous is not None else None
        if expected is not None and parents != expected:
            raise Unsupported(f"'{model.name}' is not a chain of layers at '{layer.name}'")
        if expected is None and type(parents[0]).__name__ != "InputLayer":
            raise Unsupported(f"'{model.name}' does not start at its input")
        previous = layer
    return layers


def _shape(tensor):
    return tuple(int(d) for d in tensor.shape[1:])


def keras_to_torch(model, tied_sources=None):
    """`(torch.nn.Sequential, {layer name: module})`: the twin of a chain-shaped Keras `model`.

    Raises ValueError naming the first layer it cannot convert.
    """
    import torch.nn as nn

    tied_sources = tied_sources or {}
    modules, by_name, shapes = [], {}, []
    for layer in _chain_layers(model):
        in_shape = _shape(layer.input)
        out_shape = _shape(layer.output)
        module = convert_layer(layer, in_shape, out_shape, tied_sources)
        if module is None:
            continue
        modules.append(module)
        by_name[layer.name] = module
        shapes.append((layer.name, _nchw(out_shape)))
    net = nn.Sequential(*modules)
    net.keras_shapes = shapes  # per converted layer: (name, NCHW output shape)
    return net, by_name


def _first_weighted(module):
    """The module itself or its first submodule with a `weight` (a conv behind padding)."""
    return next((m for m in module.modules() if getattr(m, "weight", None) is not None), module)


def load_keras_weights(model, net):
    """Copies a Keras model's weights into its twin `net` (from `keras_to_torch`).

    Kernels are converted to PyTorch's layouts; the unit order around a
    Reshape or Flatten is not permuted, so outputs are equal only where that
    order is the same in both layouts (one channel, or 1x1 images) and the
    "same" paddings are symmetric: enough to check the converter.
    """
    import keras
    import torch

    def value(variable):
        return torch.from_numpy(keras.ops.convert_to_numpy(variable).copy())

    with torch.no_grad():
        for module, (name, _) in zip(net, net.keras_shapes):
            layer = model.get_layer(name)
            kind = type(layer).__name__
            target = _first_weighted(module)
            if kind == "BatchNormalization":
                if layer.scale:
                    target.weight.copy_(value(layer.gamma))
                    target.bias.copy_(value(layer.beta))
                target.running_mean.copy_(value(layer.moving_mean))
                target.running_var.copy_(value(layer.moving_variance))
                continue
            if getattr(layer, "kernel", None) is None:
                continue
            if hasattr(target, "weight"):  # a tied layer's kernel is its source's
                kernel = value(layer.kernel)
                kernel = kernel.T if kernel.dim() == 2 else kernel.permute(3, 2, 0, 1)
                target.weight.copy_(kernel)
            if getattr(layer, "bias", None) is not None:
                target.bias.copy_(value(layer.bias))


def _count(variables):
    """Number of values in float variables (a Dropout's seed state is not a parameter)."""
    return sum(math.prod(int(d) for d in v.shape) for v in variables if "float" in str(v.dtype))


def parameter_counts(gan, generator, discriminator):
    """Trainable/non-trainable sizes of the Keras models and their twins, per network.

    The generator's trainable count includes a shared kernel (as Keras counts
    it); `g_optimizer` counts what the generator's optimizer updates.
    """
    own_g = [p for p in generator.parameters()]
    tied = sum(m.tied_weight.numel() for m in generator.modules() if hasattr(m, "tied_weight"))

    def buffers(net):
        return sum(b.numel() for name, b in net.named_buffers()
                   if not name.endswith("num_batches_tracked"))

    return {
        "keras": {
            "g_trainable": _count(gan.generator.trainable_variables),
            "g_non_trainable": _count(gan.generator.non_trainable_variables),
            "d_trainable": _count(gan.discriminator.trainable_variables),
            "d_non_trainable": _count(gan.discriminator.non_trainable_variables),
            "g_optimizer": _count(gan.g_variables),
        },
        "torch": {
            "g_trainable": sum(p.numel() for p in own_g) + tied,
            "g_non_trainable": buffers(generator),
            "d_trainable": sum(p.numel() for p in discriminator.parameters()),
            "d_non_trainable": buffers(discriminator),
            "g_optimizer": sum(p.numel() for p in own_g),
        },
    }


def torch_networks(gan):
    """`(generator, discriminator, counts)`: PyTorch twins of `gan`'s networks, checked.

    Checks every converted layer's output shape (NCHW) on a batch of 2 and
    that the parameter counts equal the Keras models'; raises ValueError
    ("Expected ... Received ...") otherwise.
    """
    import torch

    discriminator, d_modules = keras_to_torch(gan.discriminator)
    weighted = {name: _first_weighted(m) for name, m in d_modules.items()}
    generator, _ = keras_to_torch(gan.generator, tied_sources=weighted)
    with torch.no_grad():
        x = torch.zeros((2, gan.latent_dim))
        for net in (generator, discriminator):
            net.eval()
            for module, (name, shape) in zip(net, net.keras_shapes):
                x = module(x)
                if tuple(x.shape[1:]) != tuple(shape):
                    raise ValueError(
                        f"Expected the PyTorch twin of layer '{name}' to output {shape} (NCHW). "
                        f"Received: {tuple(x.shape[1:])}."
                    )
            net.train()
    counts = parameter_counts(gan, generator, discriminator)
    if counts["keras"] != counts["torch"]:
        raise ValueError(
            f"Expected the PyTorch networks to have the Keras parameter counts {counts['keras']}. "
            f"Received: {counts['torch']}."
        )
    return generator, discriminator, counts
