"""A PyTorch eager training loop of a kerasgan preset's own networks, for tools/bench.py.

`torch_networks(gan)` rebuilds `gan.generator` and `gan.discriminator` in
`torch.nn`, layer for layer (NCHW layout, the same shapes and parameter
counts, checked on a dummy batch), from the built Keras models, so every
preset that is a chain of the supported layers gets its PyTorch twin
without a hand-written copy. `make_torch_step(gan, ...)` returns one
training step with the preset's loss family, optimizers (hyper-parameters
read from the Keras optimizers) and update schedule (`d_steps`, joint or
split discriminator updates, split real batches, WGAN clipping, gradient
penalty, fresh or reused generator noise, shared kernels).

PyTorch is an optional, bench-only dependency: importing this module does
not import torch; the functions do.

Differences from Keras that do not change the work per step, stated here:
* Keras RMSprop divides by `sqrt(v + epsilon)`, PyTorch by
  `sqrt(v) + eps`; the twin uses `eps = sqrt(epsilon)` (equal where v = 0).
  Keras Adam's epsilon is also placed differently (Kingma & Ba's
  "epsilon hat"); the same value is passed.
* A "same"-padded convolution whose total padding is odd pads one more
  row/column at the bottom/right in Keras; PyTorch pads symmetrically and
  drops the extra row (same output shape, the usual PyTorch spelling).
* Reshape/Flatten order channels first (NCHW), a fixed permutation of the
  neighbouring dense units.

Reference: the PyTorch DCGAN example (pytorch/examples, dcgan/main.py) for
the shape of the loop (generator output detached for the discriminator
update; the discriminator's weights frozen during the generator update).
"""

import functools
import math
import os
import types

# Torch twins of the Keras activations the preset networks use.
_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softplus", "leaky_relu", "elu", "gelu")


def available():
    """Whether PyTorch can be imported (the bench skips its variants otherwise)."""
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def cores():
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# ---------------------------------------------------------------- networks


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


class _Unsupported(ValueError):
    pass


def _convert_layer(layer, in_shape, out_shape, tied_sources):
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
            raise _Unsupported(f"layer '{layer.name}': data_format {cfg['data_format']}")
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
                raise _Unsupported(f"layer '{layer.name}': output larger than the unpadded size")
            p = -(-diff // 2)
            padding.append(p)
            output_padding.append(2 * p - diff)
        return with_act(nn.ConvTranspose2d(
            cin, cout, (kh, kw), stride=stride, padding=tuple(padding),
            output_padding=tuple(output_padding), bias=cfg["use_bias"]))
    if kind == "BatchNormalization":
        if cfg["axis"] not in (-1, [-1], len(in_shape), [len(in_shape)]):
            raise _Unsupported(f"layer '{layer.name}': BatchNormalization axis {cfg['axis']}")
        if cfg["center"] != cfg["scale"]:
            raise _Unsupported(f"layer '{layer.name}': center != scale")
        channels = int(in_shape[-1])
        bn = nn.BatchNorm2d if len(in_shape) == 3 else nn.BatchNorm1d
        return bn(channels, eps=cfg["epsilon"], momentum=1.0 - cfg["momentum"], affine=cfg["scale"])
    if kind == "ReLU":
        if cfg.get("max_value") is not None or cfg.get("threshold") or cfg.get("negative_slope"):
            raise _Unsupported(f"layer '{layer.name}': ReLU with options {cfg}")
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
            raise _Unsupported(f"layer '{layer.name}': interpolation {cfg['interpolation']}")
        return nn.Upsample(scale_factor=tuple(float(s) for s in cfg["size"]), mode="nearest")
    if kind == "MaxPooling2D":
        pool, stride = tuple(cfg["pool_size"]), tuple(cfg["strides"] or cfg["pool_size"])
        if cfg["padding"] != "valid":
            raise _Unsupported(f"layer '{layer.name}': MaxPooling2D padding {cfg['padding']}")
        return nn.MaxPool2d(pool, stride)
    if kind == "ZeroPadding2D":
        (top, bottom), (left, right) = cfg["padding"]
        return nn.ZeroPad2d((left, right, top, bottom))
    if kind == "Cropping2D":
        (top, bottom), (left, right) = cfg["cropping"]
        return _torch_module_classes().Crop(top, bottom, left, right)
    raise _Unsupported(f"layer '{layer.name}' of type {kind}")


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
            raise _Unsupported(f"layer '{layer.name}' is called {len(nodes)} times")
        parents = [t._keras_history.operation for t in nodes[0].input_tensors]
        expected = [previous] if previous is not None else None
        if expected is not None and parents != expected:
            raise _Unsupported(f"'{model.name}' is not a chain of layers at '{layer.name}'")
        if expected is None and type(parents[0]).__name__ != "InputLayer":
            raise _Unsupported(f"'{model.name}' does not start at its input")
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
        module = _convert_layer(layer, in_shape, out_shape, tied_sources)
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


# ------------------------------------------------------------------ losses


def torch_losses(family):
    """`(d_loss(real_out, fake_out), g_loss(fake_out))` of a kerasgan loss family, in torch."""
    import torch
    import torch.nn.functional as F

    def terms(real_fn, fake_fn):
        def d_loss(real, fake):
            out = [fn(x).mean() for fn, x in ((real_fn, real), (fake_fn, fake)) if x is not None]
            return out[0] if len(out) == 1 else out[0] + out[1]
        return d_loss

    def ce(y):
        return lambda x: torch.relu(x) - x * y + torch.log1p(torch.exp(-x.abs()))

    families = {
        "non_saturating": (terms(lambda x: F.softplus(-x), F.softplus),
                           lambda f: F.softplus(-f).mean()),
        "minimax": (terms(lambda x: F.softplus(-x), F.softplus), lambda f: -F.softplus(f).mean()),
        "wasserstein": (terms(lambda x: -x, lambda x: x), lambda f: -f.mean()),
        "least_squares": (terms(lambda x: 0.5 * (x - 1.0).square(), lambda x: 0.5 * x.square()),
                          lambda f: 0.5 * (f - 1.0).square().mean()),
        "l1": (terms(lambda x: (x - 1.0).abs(), lambda x: x.abs()),
               lambda f: (f - 1.0).abs().mean()),
        "hinge": (terms(lambda x: torch.relu(1.0 - x), lambda x: torch.relu(1.0 + x)),
                  lambda f: -f.mean()),
        "wgan_cross_entropy": (terms(ce(1.0), ce(-1.0)), lambda f: ce(1.0)(f).mean()),
    }
    if family not in families:
        raise _Unsupported(f"loss family {family!r}")
    return families[family]


# -------------------------------------------------------------- optimizers


def torch_optimizer(keras_optimizer, params, fused):
    """`(optimizer, implementation)`: the PyTorch twin of a Keras Adam or RMSprop.

    `fused=False`: PyTorch's default implementation (a per-tensor loop on
    CPU); `fused=True`: `fused=True` where PyTorch supports it on CPU, else
    `foreach=True`. `implementation` says which one was taken.
    """
    import torch

    cfg = keras_optimizer.get_config()
    kind = type(keras_optimizer).__name__
    for key in ("weight_decay", "clipnorm", "global_clipnorm", "clipvalue"):
        if cfg.get(key):
            raise _Unsupported(f"optimizer option {key}={cfg[key]}")
    if cfg.get("use_ema"):
        raise _Unsupported("optimizer use_ema=True")
    lr = cfg["learning_rate"]
    if not isinstance(lr, (int, float)):
        raise _Unsupported(f"learning rate schedule {lr!r}")
    if kind == "Adam":
        def make(tensors, **kw):
            return torch.optim.Adam(tensors, lr=float(lr), betas=(cfg["beta_1"], cfg["beta_2"]),
                                    eps=cfg["epsilon"], amsgrad=cfg["amsgrad"], **kw)
    elif kind == "RMSprop":
        def make(tensors, **kw):
            return torch.optim.RMSprop(tensors, lr=float(lr), alpha=cfg["rho"],
                                       eps=math.sqrt(cfg["epsilon"]), momentum=cfg["momentum"],
                                       centered=cfg["centered"], **kw)
    else:
        raise _Unsupported(f"optimizer {kind}")
    if not fused:
        return make(params), "default"
    try:
        # Some optimizers accept fused=True and only fail at the first step on CPU: probe.
        probe = torch.zeros(1, requires_grad=True)
        probe.grad = torch.zeros(1)
        make([probe], fused=True).step()
    except (RuntimeError, TypeError, ValueError):
        return make(params, foreach=True), "foreach"
    return make(params, fused=True), "fused"


# ------------------------------------------------------------------ step


def check_supported(gan):
    """Raises ValueError if `gan` uses something the hand-written loops do not implement."""
    import kerasgan

    fake_source = getattr(gan, "fake_source", "generator")
    overridden = any(
        getattr(type(gan), hook, None) is not getattr(kerasgan.GAN, hook, None)
        for hook in ("discriminator_fake", "_discriminator_fake", "draw_randomness", "phase_loss")
    )
    if fake_source != "generator" or overridden:
        raise ValueError(
            "Expected a plain kerasgan.GAN whose discriminator sees the generator's samples "
            f"(the hand-written loops implement only that). Received: {type(gan).__name__} "
            f"'{gan.name}' (fake_source={fake_source!r})."
        )


def make_torch_step(gan, fused=False, threads=None):
    """A PyTorch eager training step of `gan`'s networks, losses and schedule.

    Returns `(step, info)`: `step(real)` takes a float32 NCHW `torch.Tensor`
    batch of the preset's step batch size and returns the last
    `(d_loss, g_loss)` tensors (`step.generator`, `step.discriminator` are
    the networks); `info` (JSON-ready) holds the parameter counts, the
    optimizer implementation and the thread count.
    """
    import torch

    import kerasgan

    check_supported(gan)
    if (gan.d_loss_fn, gan.g_loss_fn) != tuple(kerasgan.losses.FAMILIES.get(gan.loss_family, ())):
        raise _Unsupported(f"a custom d_loss/g_loss (family {gan.loss_family!r})")
    threads = threads or cores()
    torch.set_num_threads(threads)
    if gan.seed is not None:
        torch.manual_seed(int(gan.seed))
    G, D, counts = torch_networks(gan)
    d_params = list(D.parameters())
    g_params = list(G.parameters())  # a tied weight is D's: not here
    d_opt, d_impl = torch_optimizer(gan.d_optimizer, d_params, fused)
    g_opt, g_impl = torch_optimizer(gan.g_optimizer, g_params, fused)
    d_loss_fn, g_loss_fn = torch_losses(gan.loss_family)
    latent, d_steps = gan.latent_dim, gan.d_steps
    parts = [("real", "fake")] if gan.d_update == "joint" else [("real",), ("fake",)]
    clip = gan.clip_value
    gp_weight, d_weight = gan.gradient_penalty_weight, gan.d_loss_weight
    uniform = gan.noise == "uniform"
    reuse_z = gan.g_noise == "reuse"
    split = gan.real_batches == "split"
    if clip is not None:
        with torch.no_grad():
            for p in d_params:
                p.clamp_(-clip, clip)

    def noise(batch):
        if uniform:
            return torch.rand(batch, latent) * 2.0 - 1.0
        return torch.randn(batch, latent)

    def step(real):
        chunks = torch.tensor_split(real, d_steps) if split else [real] * d_steps
        for i in range(d_steps):
            x = chunks[i]
            b = x.shape[0]
            z = noise(b)
            with torch.no_grad():
                fake = G(z)
            for terms in parts:
                d_opt.zero_grad(set_to_none=True)
                real_out = D(x) if "real" in terms else None
                fake_out = D(fake) if "fake" in terms else None
                d_loss = d_loss_fn(real_out, fake_out) * d_weight
                if gp_weight and "fake" in terms:
                    alpha = torch.rand((b,) + (1,) * (x.dim() - 1))
                    x_hat = (x + alpha * (fake - x)).requires_grad_(True)
                    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
                    norm = torch.sqrt(grad.square().sum(dim=tuple(range(1, grad.dim()))) + 1e-12)
                    d_loss = d_loss + gp_weight * (norm - 1.0).square().mean()
                d_loss.backward()
                d_opt.step()
                if clip is not None:
                    with torch.no_grad():
                        for p in d_params:
                            p.clamp_(-clip, clip)
        for p in d_params:  # no gradients for D's weights (shared kernels included)
            p.requires_grad_(False)
        g_opt.zero_grad(set_to_none=True)
        g_loss = g_loss_fn(D(G(z if reuse_z else noise(b))))
        g_loss.backward()
        g_opt.step()
        for p in d_params:
            p.requires_grad_(True)
        return d_loss.detach(), g_loss.detach()

    step.generator, step.discriminator = G, D
    info = {
        "parameter_counts": counts,
        "optimizer_implementation": {"d": d_impl, "g": g_impl},
        "optimizers": {"d": type(d_opt).__name__, "g": type(g_opt).__name__},
        "torch_threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "layers": {"generator": [n for n, _ in G.keras_shapes],
                   "discriminator": [n for n, _ in D.keras_shapes]},
    }
    return step, info
