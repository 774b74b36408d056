"""A PyTorch eager training loop of a kerasgan preset's own networks, for tools/bench.py.

The networks are `tools/bench_torch_nets.torch_networks(gan)`: PyTorch twins
of the preset's own Keras networks. `make_torch_step(gan, ...)` returns one
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
* The networks' own differences: tools/bench_torch_nets.py.

Reference: the PyTorch DCGAN example (pytorch/examples, dcgan/main.py) for
the shape of the loop (generator output detached for the discriminator
update; the discriminator's weights frozen during the generator update).
"""

import math

from tools.bench_machine import cores  # noqa: F401  (also used as bench_torch.cores)
from tools.bench_torch_nets import Unsupported, torch_networks


def available():
    """Whether PyTorch can be imported (the bench skips its variants otherwise)."""
    import importlib.util

    return importlib.util.find_spec("torch") is not None


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
        raise Unsupported(f"loss family {family!r}")
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
            raise Unsupported(f"optimizer option {key}={cfg[key]}")
    if cfg.get("use_ema"):
        raise Unsupported("optimizer use_ema=True")
    lr = cfg["learning_rate"]
    if not isinstance(lr, (int, float)):
        raise Unsupported(f"learning rate schedule {lr!r}")
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
        raise Unsupported(f"optimizer {kind}")
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
        raise Unsupported(f"a custom d_loss/g_loss (family {gan.loss_family!r})")
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
