"""Dynamics: continuous flows (as first-order systems) and discrete methods.

Continuous flows are written as y' = F(t, y, g) for the stacked state
y = (W, W', ..., W^{(J)}) of shape (B, (J+1) P), where g = grad L(W) is supplied by the
integrator.  Time starts at 0 with W(0) = W0 and zero initial derivatives; Nesterov's flow,
singular at t = 0, is integrated from t0 > 0 with the series start of DESIGN.md.

Discrete methods iterate k = 0, 1, ...; the stored states are the iterates named in each
method's docstring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._errors import InvalidParameter


def _check_positive(name: str, value, fix: str | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not np.isfinite(value) or value <= 0:
        raise InvalidParameter(name, value, "must be a finite number > 0", fix=fix)
    return float(value)


def _check_nonnegative(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not np.isfinite(value) or value < 0:
        raise InvalidParameter(name, value, "must be a finite number >= 0")
    return float(value)


@dataclass(frozen=True)
class _Flow:
    """Base of the continuous flows: ``order`` derivatives in the state, start at ``t_start``."""

    @property
    def order(self) -> int:
        raise NotImplementedError

    @property
    def t_start(self) -> float:
        return 0.0

    def initial_state(self, model, params0: np.ndarray) -> np.ndarray:
        """State at ``t_start``: W0 and zero derivatives."""
        y0 = np.zeros((params0.shape[0], self.order * params0.shape[1]))
        y0[:, :params0.shape[1]] = params0
        return y0

    def state_before_start(self, model, params0, times):
        """(positions, velocities) for sample times in [0, t_start); only Nesterov has any."""
        raise NotImplementedError


@dataclass(frozen=True)
class GradientFlow(_Flow):
    """Gradient flow W' = -grad L(W)."""

    @property
    def order(self) -> int:
        return 1

    def derivative(self, t, y, g):
        return -g


@dataclass(frozen=True)
class HeavyBall(_Flow):
    """Heavy-ball flow W'' + b W' + grad L(W) = 0, W'(0) = 0."""

    b: float

    def __post_init__(self):
        _check_nonnegative("b", self.b)

    @property
    def order(self) -> int:
        return 2

    def derivative(self, t, y, g):
        p = g.shape[1]
        dy = np.empty_like(y)
        dy[:, :p] = y[:, p:]
        np.multiply(y[:, p:], -self.b, out=dy[:, p:])
        dy[:, p:] -= g
        return dy


@dataclass(frozen=True)
class Nesterov(_Flow):
    """Nesterov flow W'' + (gamma/t) W' + grad L(W) = 0 with W'(0) = 0.

    Integrated from t0 > 0 with the series start W(t0) = W0 - t0^2/(2(gamma+1)) grad L(W0),
    W'(t0) = -t0/(gamma+1) grad L(W0), exact up to O(t0^4) in W and O(t0^3) in W'; samples
    at t < t0 are taken from the same series.
    """

    gamma: float = 3.0
    t0: float = 1e-3

    def __post_init__(self):
        _check_positive("gamma", self.gamma, fix="Nesterov's flow uses gamma = 3")
        _check_positive("t0", self.t0, fix="a small start time such as 1e-3")

    @property
    def order(self) -> int:
        return 2

    @property
    def t_start(self) -> float:
        return self.t0

    def initial_state(self, model, params0):
        g0 = model.grad(params0)
        c = 1.0 / (self.gamma + 1.0)
        return np.concatenate([params0 - 0.5 * c * self.t0 ** 2 * g0, -c * self.t0 * g0], axis=1)

    def state_before_start(self, model, params0, times):
        g0 = model.grad(params0)[:, None, :]
        c = 1.0 / (self.gamma + 1.0)
        t = np.asarray(times)[None, :, None]
        return params0[:, None, :] - 0.5 * c * t ** 2 * g0, -c * t * g0

    def derivative(self, t, y, g):
        p = g.shape[1]
        dy = np.empty_like(y)
        dy[:, :p] = y[:, p:]
        np.multiply(y[:, p:], -(self.gamma / t)[:, None], out=dy[:, p:])
        dy[:, p:] -= g
        return dy


@dataclass(frozen=True)
class HigherOrder(_Flow):
    """Higher-order momentum flow d^{J+1}W/dt^{J+1} + sum_{j=1..J} b_j d^jW/dt^j + grad L = 0
    (seed 001 Section 5.1), zero initial derivatives; J = len(b), J = 1 is the heavy ball."""

    b: tuple[float, ...]

    def __post_init__(self):
        if len(self.b) < 1:
            raise InvalidParameter("b", self.b, "must hold at least one coefficient b_1",
                                   fix="use gradient_flow() for J = 0")
        for j, bj in enumerate(self.b, start=1):
            if isinstance(bj, bool) or not np.isfinite(bj):
                raise InvalidParameter(f"b[{j}]", bj, "must be a finite number")

    @property
    def order(self) -> int:
        return len(self.b) + 1

    def derivative(self, t, y, g):
        p = g.shape[1]
        top = -g
        for j, bj in enumerate(self.b, start=1):
            top = top - bj * y[:, j * p:(j + 1) * p]
        return np.concatenate([y[:, p:], top], axis=1)


def gradient_flow() -> GradientFlow:
    """Gradient flow W' = -grad L."""
    return GradientFlow()


def heavy_ball(b: float) -> HeavyBall:
    """Heavy-ball flow W'' + b W' + grad L = 0 (friction b >= 0)."""
    return HeavyBall(b)


def nesterov(gamma: float = 3.0, *, t0: float = 1e-3) -> Nesterov:
    """Nesterov flow W'' + (gamma/t) W' + grad L = 0, series start at t0 > 0."""
    return Nesterov(gamma, t0)


def higher_order(b) -> HigherOrder:
    """Higher-order momentum flow with coefficients b = (b_1, ..., b_J)."""
    return HigherOrder(tuple(float(v) for v in b))


@dataclass(frozen=True)
class _Discrete:
    """Base of the discrete methods: ``step`` maps (k, state) to the next state."""

    eta: float

    def __post_init__(self):
        _check_positive("eta", self.eta, fix="the step size of the method")


@dataclass(frozen=True)
class GD(_Discrete):
    """Gradient descent w_{k+1} = w_k - eta grad L(w_k); states are w_k."""

    def start(self, params0):
        return (params0,)

    def step(self, k, state, grad):
        (w,) = state
        return (w - self.eta * grad(w),)

    def record(self, state):
        """(stored state, auxiliary sequence or None)."""
        return state[0], None


@dataclass(frozen=True)
class HeavyBallDiscrete(_Discrete):
    """Heavy ball w_{k+1} = w_k - eta grad L(w_k) + beta (w_k - w_{k-1}), w_{-1} = w_0;
    states are w_k."""

    beta: float = 0.9

    def __post_init__(self):
        super().__post_init__()
        _check_nonnegative("beta", self.beta)

    def start(self, params0):
        return (params0, params0)

    def step(self, k, state, grad):
        w, w_prev = state
        return (w - self.eta * grad(w) + self.beta * (w - w_prev), w)

    def record(self, state):
        """(stored state, auxiliary sequence or None)."""
        return state[0], None


@dataclass(frozen=True)
class NesterovDiscrete(_Discrete):
    """Nesterov's method, two forms.

    * constant momentum ``beta`` (Liao-Kyrillidis): x_{k+1} = y_k - eta grad f(y_k),
      y_{k+1} = x_{k+1} + beta (x_{k+1} - x_k), x_0 = y_0 = w0; states are x_k, auxiliary y_k.
    * ``gamma`` (seed 001 eq. (4.1)): v(k+1) = w(k) - eta grad L(w(k)),
      w(k+1) = v(k+1) + (k-1)/(k+gamma-1) (v(k+1) - v(k)), counted from k = 1 with
      v(1) = w(1) = w0 (so the first momentum coefficient is 0); states are w(k) for
      k = 1, 2, ... (stored at index k - 1), auxiliary v(k).
    """

    beta: float | None = None
    gamma: float | None = None

    def __post_init__(self):
        super().__post_init__()
        if (self.beta is None) == (self.gamma is None):
            raise InvalidParameter("beta/gamma", (self.beta, self.gamma),
                                   "exactly one of beta (constant momentum) and gamma "
                                   "(momentum (k-1)/(k+gamma-1)) must be given")
        if self.beta is not None:
            _check_nonnegative("beta", self.beta)
        else:
            _check_positive("gamma", self.gamma, fix="seed 001 uses gamma = 3")

    def start(self, params0):
        return (params0, params0)  # (gradient point, iterate): (y_0, x_0) or (w(1), v(1))

    def step(self, k, state, grad):
        point, iterate = state
        new_iterate = point - self.eta * grad(point)
        if self.beta is not None:
            coef = self.beta
        else:
            kk = k + 1  # the source's counter starts at 1
            coef = (kk - 1) / (kk + self.gamma - 1)
        return (new_iterate + coef * (new_iterate - iterate), new_iterate)

    def record(self, state):
        """(stored state, auxiliary sequence): (x_k, y_k) or (w(k), v(k))."""
        point, iterate = state
        return (iterate, point) if self.beta is not None else (point, iterate)


def gd(eta: float) -> GD:
    """Gradient descent with step size eta."""
    return GD(eta)


def heavy_ball_discrete(eta: float, beta: float) -> HeavyBallDiscrete:
    """Heavy-ball method (seed 001 eq. (3.1)) with step eta and momentum beta."""
    return HeavyBallDiscrete(eta, beta)


def nesterov_discrete(eta: float, *, beta: float | None = None,
                      gamma: float | None = None) -> NesterovDiscrete:
    """Nesterov's method with constant momentum ``beta`` or momentum (k-1)/(k+gamma-1)."""
    return NesterovDiscrete(eta, beta, gamma)
