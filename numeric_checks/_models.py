"""Batched models: loss and gradient of many independent instances at once.

Every model holds ``batch`` independent instances (own data, own initial weights) and
evaluates them together with matmuls over the leading batch axis.  Parameters of one
instance are a flat vector; ``params`` has shape ``(batch, P)`` (or ``(batch, T, P)`` for
quantities along stored trajectories), and ``model.layout`` splits it into named blocks
(the layers W_1..W_K of an MLP, numbered from the input).

Loss convention, for every model: ``L = 1/2 sum_i |f(x_i) - y_i|^2`` -- one half of the sum
over samples of the squared error, **no** 1/n.  ``loss_star`` is L* per instance: 0 for
realizable targets (a teacher of the same architecture), NaN when unknown unless given.

Piecewise-linear activations (relu, leaky_relu) make the gradient jump where a
pre-activation crosses zero (a *kink*).  Such models expose their sign pattern
(``pattern(params)``, one boolean per pre-activation, True where z > 0; at z == 0 the relu
derivative is taken as 0) and a gradient with the pattern *frozen*, the smooth polynomial
continuation of one linear piece; the integrator uses both to step exactly to kinks.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

import numpy as np

from ._errors import InvalidParameter

ACTIVATIONS = ("linear", "relu", "leaky_relu", "tanh")


@dataclass(frozen=True)
class Layout:
    """Named blocks of a flat parameter vector; ``split`` returns views over leading axes."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]

    @functools.cached_property
    def sizes(self) -> tuple[int, ...]:
        return tuple(int(np.prod(s)) for s in self.shapes)

    @functools.cached_property
    def offsets(self) -> tuple[int, ...]:
        return tuple(int(o) for o in np.concatenate([[0], np.cumsum(self.sizes)]))

    @property
    def n_params(self) -> int:
        return sum(self.sizes)

    def split(self, params: np.ndarray) -> list[np.ndarray]:
        """Blocks of ``params`` (shape ``(..., P)``) as arrays of shape ``(..., *block_shape)``."""
        lead = params.shape[:-1]
        off = self.offsets
        return [params[..., off[i]:off[i + 1]].reshape(lead + shape)
                for i, shape in enumerate(self.shapes)]

    def join(self, blocks: list[np.ndarray]) -> np.ndarray:
        """Inverse of :meth:`split`."""
        lead = blocks[0].shape[:blocks[0].ndim - len(self.shapes[0])]
        return np.concatenate([b.reshape(lead + (-1,)) for b in blocks], axis=-1)


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidParameter(name, value, f"must be an integer >= {minimum}")
    return int(value)


def _check_activation(activation: str, slope: float) -> None:
    if activation not in ACTIVATIONS:
        raise InvalidParameter("activation", activation, f"must be one of {ACTIVATIONS}")
    if not (np.isfinite(slope) and 0 <= slope < 1):
        raise InvalidParameter("slope", slope, "must be in [0, 1)",
                               fix="the leaky_relu slope for negative inputs, default 0.1")


def _check_array(name: str, value, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != shape:
        raise InvalidParameter(name, f"array of shape {arr.shape}", f"must have shape {shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidParameter(name, "array with non-finite entries", "must be finite")
    return arr


def _activate(z: np.ndarray, activation: str, slope: float, frozen=None):
    """Activation value s(z), derivative s'(z) (None for linear) and sign pattern z > 0.

    With ``frozen`` (a boolean pattern) the piecewise-linear activations use that pattern
    instead of the sign of z: the smooth continuation of one linear piece.
    """
    if activation == "tanh":
        a = np.tanh(z)
        return a, 1.0 - a * a, None
    if activation == "linear":
        return z, None, None
    positive = z > 0
    piece = positive if frozen is None else frozen
    d = np.where(piece, 1.0, 0.0 if activation == "relu" else slope)
    return z * d, d, positive


def _lift(arr: np.ndarray, lead_ndim: int, core_ndim: int) -> np.ndarray:
    """Insert axes after the batch axis so per-instance data broadcasts against (B, T, ...)."""
    return arr.reshape(arr.shape[:1] + (1,) * (lead_ndim - 1) + arr.shape[arr.ndim - core_ndim:])


class _BatchedModel:
    """Shared machinery: ``take`` (a sub-batch), loss/grad wrappers, kink protocol defaults."""

    family: str = ""
    _batched: tuple[str, ...] = ()
    n_switching_units: int = 0  # pre-activations whose sign switches the gradient's formula

    def __init__(self, layout: Layout, params0: np.ndarray, loss_star: np.ndarray, spec: dict):
        self.layout = layout
        self.params0 = params0
        self.loss_star = loss_star
        self.spec = spec

    @property
    def batch(self) -> int:
        return self.params0.shape[0]

    @property
    def n_params(self) -> int:
        return self.layout.n_params

    def take(self, rows) -> "_BatchedModel":
        """The same model restricted to the instances ``rows`` (index array or slice)."""
        sub = copy.copy(self)
        for name in self._batched + ("params0", "loss_star"):
            setattr(sub, name, getattr(self, name)[rows])
        return sub

    def loss(self, params: np.ndarray) -> np.ndarray:
        """L per instance (and per leading index), shape ``params.shape[:-1]``."""
        return self.loss_and_grad(params, need_grad=False)[0]

    def grad(self, params: np.ndarray) -> np.ndarray:
        """grad L, same shape as ``params``."""
        return self.loss_and_grad(params)[1]

    def preactivations(self, params: np.ndarray):
        """The switching pre-activations z, (B, U); None if the model is smooth."""
        return None

    def pattern(self, params: np.ndarray):
        """Sign pattern z > 0 of the switching pre-activations, (B, U) bool; None if smooth."""
        z = self.preactivations(params)
        return None if z is None else z > 0

    def _grad_frozen(self, params: np.ndarray, frozen):
        """grad L with the activation pattern frozen, and per instance whether the true
        pattern at ``params`` differs from ``frozen``.  Smooth models ignore ``frozen``."""
        return self.grad(params), np.zeros(params.shape[0], dtype=bool)

    def __repr__(self) -> str:
        return f"{self.family}({', '.join(f'{k}={v!r}' for k, v in self.spec.items())})"


class MLP(_BatchedModel):
    """Deep MLP without biases, f(x) = W_K s(W_{K-1} ... s(W_1 x)); W_h has shape (d_h, d_{h-1})."""

    family = "mlp"
    _batched = ("x", "y")

    def __init__(self, *, x, y, widths, activation, slope, params0, loss_star, spec):
        self.widths = tuple(widths)
        self.activation = activation
        self.slope = float(slope)
        self.x, self.y = x, y
        shapes = tuple((self.widths[h + 1], self.widths[h]) for h in range(len(self.widths) - 1))
        layout = Layout(tuple(f"W{h + 1}" for h in range(len(shapes))), shapes)
        super().__init__(layout, params0, loss_star, spec)
        kinked = activation in ("relu", "leaky_relu")
        self.n_switching_units = (x.shape[1] * sum(self.widths[1:-1])) if kinked else 0

    def _forward(self, params, frozen=None):
        """Layer inputs a_0 = x, ..., a_{K-1}; derivatives s'(z_h); output; sign patterns."""
        lead = params.ndim - 1
        weights = self.layout.split(params)
        frozen_blocks = self._split_pattern(frozen) if frozen is not None else None
        a = _lift(self.x, lead, 2)
        acts, derivs, signs = [a], [], []
        for h, w in enumerate(weights[:-1]):
            z = a @ np.swapaxes(w, -1, -2)
            a, d, positive = _activate(z, self.activation, self.slope,
                                       None if frozen_blocks is None else frozen_blocks[h])
            acts.append(a)
            derivs.append(d)
            signs.append(positive)
        out = a @ np.swapaxes(weights[-1], -1, -2)
        return weights, acts, derivs, signs, out

    def _split_pattern(self, pattern):
        n = self.x.shape[1]
        blocks, start = [], 0
        for width in self.widths[1:-1]:
            blocks.append(pattern[..., start:start + n * width].reshape(pattern.shape[:-1] + (n, width)))
            start += n * width
        return blocks

    def outputs(self, params: np.ndarray) -> np.ndarray:
        """Network outputs f(x_i), shape ``params.shape[:-1] + (n, d_K)``."""
        return self._forward(params)[-1]

    def loss_and_grad(self, params, need_grad=True, frozen=None):
        weights, acts, derivs, _, out = self._forward(params, frozen)
        resid = out - _lift(self.y, params.ndim - 1, 2)
        loss = 0.5 * np.sum(resid * resid, axis=(-2, -1))
        if not need_grad:
            return loss, None
        return loss, self._backward(weights, acts, derivs, resid)

    def _backward(self, weights, acts, derivs, g):
        """Backpropagate output cotangents ``g`` (..., n, d_K) to the flat parameter gradient."""
        grads = [None] * len(weights)
        for h in reversed(range(len(weights))):
            grads[h] = np.swapaxes(g, -1, -2) @ acts[h]
            if h > 0:
                g = g @ weights[h]
                if derivs[h - 1] is not None:
                    g = g * derivs[h - 1]
        return self.layout.join(grads)

    def preactivations(self, params):
        if not self.n_switching_units:
            return None
        lead = params.ndim - 1
        a, zs = _lift(self.x, lead, 2), []
        for w in self.layout.split(params)[:-1]:
            z = a @ np.swapaxes(w, -1, -2)
            zs.append(z.reshape(z.shape[:-2] + (-1,)))
            a = _activate(z, self.activation, self.slope)[0]
        return np.concatenate(zs, axis=-1)

    def _grad_frozen(self, params, frozen):
        if frozen is None:
            return self.grad(params), np.zeros(params.shape[0], dtype=bool)
        weights, acts, derivs, signs, out = self._forward(params, frozen)
        resid = out - _lift(self.y, params.ndim - 1, 2)
        mismatch = np.zeros(params.shape[0], dtype=bool)
        for s, f in zip(signs, self._split_pattern(frozen)):
            mismatch |= np.any(s != f, axis=(-2, -1))
        return self._backward(weights, acts, derivs, resid), mismatch

    def jacobian(self, params: np.ndarray) -> np.ndarray:
        """d f_e / d params for the n*d_K outputs e = (i, k), shape (B, n*d_K, P)."""
        weights, acts, derivs, _, out = self._forward(params)
        n, dk = out.shape[-2:]
        basis = np.eye(n * dk).reshape(n * dk, n, dk)
        up = [w[:, None] for w in weights]
        return self._backward(up, [a[:, None] for a in acts],
                              [d if d is None else d[:, None] for d in derivs],
                              np.broadcast_to(basis, (params.shape[0],) + basis.shape))


class NTKTwoLayer(_BatchedModel):
    """Two-layer NTK model f(x) = m^{-1/2} sum_r a_r relu(w_r^T x); a_r in {+-1} fixed, W (m, d) trained."""

    family = "ntk_two_layer"
    _batched = ("x", "y", "a")

    def __init__(self, *, x, y, a, params0, loss_star, spec):
        self.x, self.y, self.a = x, y, a
        m, d = a.shape[1], x.shape[2]
        super().__init__(Layout(("W",), ((m, d),)), params0, loss_star, spec)
        self.n_switching_units = m * x.shape[1]

    @property
    def width(self) -> int:
        return self.a.shape[1]

    def _preact(self, params):
        lead = params.ndim - 1
        w = self.layout.split(params)[0]
        return w @ np.swapaxes(_lift(self.x, lead, 2), -1, -2)  # (..., m, n)

    def outputs(self, params):
        """f(x_i), shape ``params.shape[:-1] + (n,)``."""
        z = self._preact(params)
        scaled_a = _lift(self.a, params.ndim - 1, 1) / np.sqrt(self.width)
        return np.einsum("...r,...ri->...i", scaled_a, np.maximum(z, 0.0))

    def loss_and_grad(self, params, need_grad=True, frozen=None):
        # dL/dw_r = a_r m^{-1/2} sum_i r_i 1{z_ri > 0} x_i, computed as M @ (r * X) with the
        # 0/1 matrix M: two GEMMs, one gemv and two elementwise passes over (m, n).
        lead = params.ndim - 1
        z = self._preact(params)
        active = (z > 0) if frozen is None else frozen.reshape(z.shape)
        mask = active.astype(np.float64)
        scaled_a = _lift(self.a, lead, 1) / np.sqrt(self.width)
        relu_z = np.multiply(z, mask, out=z)
        out = (scaled_a[..., None, :] @ relu_z)[..., 0, :]
        resid = out - _lift(self.y, lead, 1)
        loss = 0.5 * np.sum(resid * resid, axis=-1)
        if not need_grad:
            return loss, None
        g = mask @ (resid[..., :, None] * _lift(self.x, lead, 2))
        g *= scaled_a[..., None]
        return loss, g.reshape(params.shape)

    def preactivations(self, params):
        z = self._preact(params)
        return z.reshape(z.shape[:-2] + (-1,))

    def _grad_frozen(self, params, frozen):
        if frozen is None:
            return self.grad(params), np.zeros(params.shape[0], dtype=bool)
        mismatch = np.any(self.pattern(params) != frozen, axis=-1)
        return self.loss_and_grad(params, frozen=frozen)[1], mismatch

    def jacobian(self, params):
        """d f_i / d W, shape (B, n, P): row i is (a_r m^{-1/2} 1{z_ri > 0} x_i)_r flattened."""
        z = self._preact(params)  # (B, m, n)
        coef = (z > 0) * (self.a / np.sqrt(self.width))[:, :, None]
        jac = coef.transpose(0, 2, 1)[..., None] * self.x[:, :, None, :]  # (B, n, m, d)
        return jac.reshape(jac.shape[0], jac.shape[1], -1)


class Quadratic(_BatchedModel):
    """Quadratic f(x) = 1/2 x^T A x - b^T x per instance (A symmetric, PSD unless allowed)."""

    family = "quadratic"
    _batched = ("a", "b")

    def __init__(self, *, a, b, params0, loss_star, spec):
        self.a, self.b = a, b
        super().__init__(Layout(("x",), ((a.shape[1],),)), params0, loss_star, spec)

    def loss_and_grad(self, params, need_grad=True, frozen=None):
        lead = params.ndim - 1
        ax = (_lift(self.a, lead, 2) @ params[..., None])[..., 0]
        b = _lift(self.b, lead, 1)
        loss = np.sum(params * (0.5 * ax - b), axis=-1)
        return loss, (ax - b if need_grad else None)


class Additive(_BatchedModel):
    """Additive model f(x, u) = 1/2 |A1 x + sigma(A2 u) - y|^2 (Liao-Kyrillidis poster)."""

    family = "additive"
    _batched = ("a1", "a2", "y")

    def __init__(self, *, a1, a2, y, activation, slope, params0, loss_star, spec):
        self.a1, self.a2, self.y = a1, a2, y
        self.activation, self.slope = activation, float(slope)
        layout = Layout(("x", "u"), ((a1.shape[2],), (a2.shape[2],)))
        super().__init__(layout, params0, loss_star, spec)
        self.n_switching_units = a2.shape[1] if activation in ("relu", "leaky_relu") else 0

    def loss_and_grad(self, params, need_grad=True, frozen=None):
        lead = params.ndim - 1
        x, u = self.layout.split(params)
        a1, a2 = _lift(self.a1, lead, 2), _lift(self.a2, lead, 2)
        s, ds, _ = _activate((a2 @ u[..., None])[..., 0], self.activation, self.slope, frozen)
        resid = (a1 @ x[..., None])[..., 0] + s - _lift(self.y, lead, 1)
        loss = 0.5 * np.sum(resid * resid, axis=-1)
        if not need_grad:
            return loss, None
        gx = (resid[..., None, :] @ a1)[..., 0, :]
        gu = ((resid if ds is None else resid * ds)[..., None, :] @ a2)[..., 0, :]
        return loss, np.concatenate([gx, gu], axis=-1)

    def preactivations(self, params):
        if not self.n_switching_units:
            return None
        u = self.layout.split(params)[1]
        return (_lift(self.a2, params.ndim - 1, 2) @ u[..., None])[..., 0]

    def _grad_frozen(self, params, frozen):
        if frozen is None:
            return self.grad(params), np.zeros(params.shape[0], dtype=bool)
        mismatch = np.any(self.pattern(params) != frozen, axis=-1)
        return self.loss_and_grad(params, frozen=frozen)[1], mismatch


def _unit_rows(rng, shape):
    x = rng.standard_normal(shape)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _mlp_weights(rng, batch, widths, init_scale):
    return np.concatenate(
        [(init_scale / np.sqrt(widths[h])) * rng.standard_normal((batch, widths[h + 1] * widths[h]))
         for h in range(len(widths) - 1)], axis=1)


def _loss_star(realizable: bool, loss_star, batch: int) -> np.ndarray:
    if realizable:
        return np.zeros(batch)
    return np.full(batch, np.nan if loss_star is None else float(loss_star))


def mlp(*, depth: int, width: int, input_dim: int, n_samples: int, output_dim: int = 1,
        activation: str = "relu", slope: float = 0.1, batch: int = 1, seed: int = 0,
        realizable: bool = True, init_scale: float = 1.0, loss_star: float | None = None,
        x=None, y=None, params0=None) -> MLP:
    """``batch`` random deep MLPs without biases, K = ``depth`` weight matrices.

    Widths d_0 = input_dim, d_1..d_{K-1} = width, d_K = output_dim.  Inputs are unit-norm
    Gaussian directions; weights (student and teacher) have entries
    N(0, init_scale^2 / d_{h-1}).  ``realizable``: targets are a teacher network of the
    same architecture, so L* = 0; otherwise targets are N(0, 1) and L* is ``loss_star``
    (NaN if not given).  ``x`` (B, n, d_0), ``y`` (B, n, d_K), ``params0`` (B, P) override
    the random draws.  ``slope`` is the leaky_relu slope on negative inputs.
    """
    depth = _check_int("depth", depth, 1)
    width = _check_int("width", width, 1)
    input_dim = _check_int("input_dim", input_dim, 1)
    output_dim = _check_int("output_dim", output_dim, 1)
    n_samples = _check_int("n_samples", n_samples, 1)
    batch = _check_int("batch", batch, 1)
    _check_activation(activation, slope)
    widths = (input_dim,) + (width,) * (depth - 1) + (output_dim,)
    rng = np.random.default_rng(seed)
    x = _unit_rows(rng, (batch, n_samples, input_dim)) if x is None else \
        _check_array("x", x, (batch, n_samples, input_dim))
    teacher = _mlp_weights(rng, batch, widths, init_scale)
    student = _mlp_weights(rng, batch, widths, init_scale)
    spec = dict(depth=depth, width=width, input_dim=input_dim, output_dim=output_dim,
                n_samples=n_samples, activation=activation, slope=slope, batch=batch,
                seed=seed, realizable=realizable, init_scale=init_scale)
    model = MLP(x=x, y=np.zeros((batch, n_samples, output_dim)), widths=widths,
                activation=activation, slope=slope, params0=student,
                loss_star=_loss_star(realizable, loss_star, batch), spec=spec)
    if y is not None:
        model.y = _check_array("y", y, (batch, n_samples, output_dim))
    elif realizable:
        model.y = model.outputs(teacher)
    else:
        model.y = rng.standard_normal((batch, n_samples, output_dim))
    if params0 is not None:
        model.params0 = _check_array("params0", params0, (batch, model.n_params))
    return model


def ntk_two_layer(*, width: int, input_dim: int, n_samples: int, batch: int = 1, seed: int = 0,
                  realizable: bool = False, loss_star: float | None = None,
                  x=None, y=None, a=None, params0=None) -> NTKTwoLayer:
    """``batch`` random two-layer NTK models (Du et al.; seed 001 Section 2).

    m = ``width`` hidden units, W0 entries N(0, 1), a_r uniform in {+-1} (fixed), inputs
    unit-norm, labels uniform in (-1, 1) (L* = ``loss_star``, NaN if not given) or, with
    ``realizable``, a teacher with the same a and fresh N(0, 1) weights (L* = 0).
    """
    width = _check_int("width", width, 1)
    input_dim = _check_int("input_dim", input_dim, 1)
    n_samples = _check_int("n_samples", n_samples, 1)
    batch = _check_int("batch", batch, 1)
    rng = np.random.default_rng(seed)
    x = _unit_rows(rng, (batch, n_samples, input_dim)) if x is None else \
        _check_array("x", x, (batch, n_samples, input_dim))
    if a is None:
        a = rng.choice([-1.0, 1.0], size=(batch, width))
    else:
        a = _check_array("a", a, (batch, width))
        if not np.all(np.abs(a) == 1):
            raise InvalidParameter("a", "array", "entries must be +1 or -1")
    teacher = rng.standard_normal((batch, width * input_dim))
    w0 = rng.standard_normal((batch, width * input_dim))
    spec = dict(width=width, input_dim=input_dim, n_samples=n_samples, batch=batch, seed=seed,
                realizable=realizable)
    model = NTKTwoLayer(x=x, y=np.zeros((batch, n_samples)), a=a, params0=w0,
                        loss_star=_loss_star(realizable, loss_star, batch), spec=spec)
    if y is not None:
        model.y = _check_array("y", y, (batch, n_samples))
    elif realizable:
        model.y = model.outputs(teacher)
    else:
        model.y = rng.uniform(-1.0, 1.0, (batch, n_samples))
    if params0 is not None:
        model.params0 = _check_array("params0", params0, (batch, model.n_params))
    return model


def quadratic(a, b=None, *, x0, require_psd: bool = True) -> Quadratic:
    """Quadratics f(x) = 1/2 x^T A x - b^T x for a batch: ``a`` (B, d, d) symmetric,
    ``b`` (B, d) (default 0), start ``x0`` (B, d).

    L* = min f = -1/2 b^T A^+ b when A is PSD and b lies in its range, else -inf.
    ``require_psd=False`` admits indefinite A (e.g. a repelling quadratic).
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 3 or a.shape[1] != a.shape[2] or a.shape[1] < 1:
        raise InvalidParameter("a", f"array of shape {a.shape}", "must have shape (B, d, d)")
    batch, dim = a.shape[:2]
    a = _check_array("a", a, (batch, dim, dim))
    if not np.allclose(a, np.swapaxes(a, 1, 2), rtol=1e-12, atol=1e-12 * np.max(np.abs(a))):
        raise InvalidParameter("a", "array", "must be symmetric", fix="pass (A + A^T) / 2")
    eig = np.linalg.eigvalsh(a)
    tol = 1e-12 * max(1.0, float(np.max(np.abs(eig))))
    if require_psd and np.any(eig[:, 0] < -tol):
        raise InvalidParameter("a", f"array with min eigenvalue {eig[:, 0].min():.3g}",
                               "must be positive semidefinite",
                               fix="pass require_psd=False for an indefinite quadratic")
    b = np.zeros((batch, dim)) if b is None else _check_array("b", b, (batch, dim))
    x0 = _check_array("x0", x0, (batch, dim))
    xs = np.stack([np.linalg.lstsq(a[i], b[i], rcond=None)[0] for i in range(batch)])
    in_range = np.linalg.norm(np.einsum("bij,bj->bi", a, xs) - b, axis=1) <= \
        1e-9 * (1 + np.linalg.norm(b, axis=1))
    bounded = (eig[:, 0] >= -tol) & in_range
    loss_star = np.where(bounded, -0.5 * np.sum(b * xs, axis=1), -np.inf)
    return Quadratic(a=a, b=b, params0=x0, loss_star=loss_star,
                     spec=dict(batch=batch, dim=dim))


def additive(*, n_samples: int, dim_x: int, dim_u: int, activation: str = "tanh",
             slope: float = 0.1, batch: int = 1, seed: int = 0, realizable: bool = True,
             a2_scale: float = 1.0, loss_star: float | None = None,
             a1=None, a2=None, y=None, params0=None) -> Additive:
    """``batch`` random additive models f(x, u) = 1/2 |A1 x + sigma(A2 u) - y|^2.

    sigma is tanh or leaky_relu (B-Lipschitz with B = 1); A1 (n, d_x) entries N(0, 1/n),
    A2 (n, d_u) entries N(0, a2_scale^2/n) (the poster wants sigma_max(A2) small and
    sigma_min(A1) large).  Realizable targets y = A1 x* + sigma(A2 u*) give L* = 0.
    """
    n_samples = _check_int("n_samples", n_samples, 1)
    dim_x = _check_int("dim_x", dim_x, 1)
    dim_u = _check_int("dim_u", dim_u, 1)
    batch = _check_int("batch", batch, 1)
    _check_activation(activation, slope)
    if activation not in ("tanh", "leaky_relu"):
        raise InvalidParameter("activation", activation, "must be 'tanh' or 'leaky_relu'",
                               fix="the poster's sigma is B-Lipschitz and invertible")
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(n_samples)
    a1 = scale * rng.standard_normal((batch, n_samples, dim_x)) if a1 is None else \
        _check_array("a1", a1, (batch, n_samples, dim_x))
    a2 = a2_scale * scale * rng.standard_normal((batch, n_samples, dim_u)) if a2 is None else \
        _check_array("a2", a2, (batch, n_samples, dim_u))
    teacher = rng.standard_normal((batch, dim_x + dim_u))
    start = rng.standard_normal((batch, dim_x + dim_u))
    spec = dict(n_samples=n_samples, dim_x=dim_x, dim_u=dim_u, activation=activation,
                slope=slope, batch=batch, seed=seed, realizable=realizable, a2_scale=a2_scale)
    model = Additive(a1=a1, a2=a2, y=np.zeros((batch, n_samples)), activation=activation,
                     slope=slope, params0=start,
                     loss_star=_loss_star(realizable, loss_star, batch), spec=spec)
    if y is not None:
        model.y = _check_array("y", y, (batch, n_samples))
    elif realizable:
        x_t, u_t = model.layout.split(teacher)
        model.y = np.einsum("bij,bj->bi", a1, x_t) + \
            _activate(np.einsum("bij,bj->bi", a2, u_t), activation, slope)[0]
    else:
        model.y = rng.standard_normal((batch, n_samples))
    if params0 is not None:
        model.params0 = _check_array("params0", params0, (batch, model.n_params))
    return model
