"""Trajectory quantities (DESIGN.md vocabulary), computed from the stored samples.

Each function takes a :class:`Trajectory` and returns an array over instances x sample
times, shape (B, T) (or with trailing axes, stated); samples after an instance stopped are
NaN, so the quantities are NaN there too.  ``lambdify_on`` evaluates a SymPy expression
(e.g. a bound from ``derivations``) on these arrays.
"""

from __future__ import annotations

import numpy as np
import sympy

from ._errors import InvalidParameter
from ._models import MLP, NTKTwoLayer


def loss(traj) -> np.ndarray:
    """L(W(t)) = 1/2 sum_i |f(x_i) - y_i|^2, (B, T)."""
    return traj.model.loss(traj.states)


def layer_norms_sq(traj) -> np.ndarray:
    """Squared Frobenius norms |W_h|_F^2 of the layout's blocks (layers from the input), (B, T, K)."""
    return np.stack([np.sum(b.reshape(b.shape[:2] + (-1,)) ** 2, axis=-1)
                     for b in traj.model.layout.split(traj.states)], axis=-1)


def imbalances(traj) -> np.ndarray:
    """alpha_h = |W_h|_F^2 - |W_{h+1}|_F^2 for h = 1..K-1, (B, T, K-1)."""
    norms = layer_norms_sq(traj)
    return norms[..., :-1] - norms[..., 1:]


def kinetic(traj) -> np.ndarray:
    """Kinetic energy 1/2 |W'|^2, (B, T); for gradient flow W' = -grad L."""
    v = traj.velocities
    if v is None:
        raise InvalidParameter("traj", traj.dynamics, "kinetic energy needs a continuous flow")
    return 0.5 * np.sum(v * v, axis=-1)


def hamiltonian(traj) -> np.ndarray:
    """H = 1/2 |W'|^2 + L - L*, (B, T)."""
    return kinetic(traj) + loss(traj) - traj.model.loss_star[:, None]


def h0(traj) -> np.ndarray:
    """H at time 0, (B,): L(W0) - L* for the momentum flows (zero initial velocity);
    for gradient flow 1/2 |grad L(W0)|^2 + L(W0) - L*."""
    model = traj.model
    value = model.loss(model.params0) - model.loss_star
    if traj.continuous and traj.dynamics.order == 1:
        g = model.grad(model.params0)
        value = value + 0.5 * np.sum(g * g, axis=-1)
    return value


def error(traj) -> np.ndarray:
    """Delta = f - y at the sample times, (B, T, n) or (B, T, n, d_K) for an MLP."""
    model = traj.model
    if not isinstance(model, (MLP, NTKTwoLayer)):
        raise InvalidParameter("traj.model", model, "the error Delta needs a network model")
    y = model.y[:, None]
    return model.outputs(traj.states) - y


def ntk_gram(traj) -> np.ndarray:
    """NTK Gram matrix H_ij = sum_r <df_i/dw_r, df_j/dw_r>, (B, T, E, E) with E = n (NTK
    model) or n d_K (MLP, the empirical NTK).  For the NTK model this is seed 001 eq. (2.6):
    x_i.x_j / m * #{r : w_r.x_i > 0, w_r.x_j > 0} (relu derivative 0 at 0)."""
    model = traj.model
    states = traj.states
    if isinstance(model, NTKTwoLayer):
        active = (model._preact(states) > 0).astype(float)  # (B, T, m, n)
        xx = model.x @ np.swapaxes(model.x, 1, 2)
        gram = np.swapaxes(active, -1, -2) @ active / model.width * xx[:, None]
    elif isinstance(model, MLP):
        gram = np.stack([(lambda j: j @ np.swapaxes(j, 1, 2))(model.jacobian(states[:, k]))
                         for k in range(states.shape[1])], axis=1)
    else:
        raise InvalidParameter("traj.model", model, "the NTK Gram matrix needs an mlp or "
                               "ntk_two_layer model")
    finite = np.all(np.isfinite(states), axis=-1)
    return np.where(finite[..., None, None], gram, np.nan)


def ntk_lambda_min(traj) -> np.ndarray:
    """Smallest eigenvalue of the NTK Gram matrix, (B, T); NaN after an instance stopped."""
    gram = ntk_gram(traj)
    finite = np.all(np.isfinite(gram), axis=(-2, -1))
    out = np.full(gram.shape[:2], np.nan)
    out[finite] = np.linalg.eigvalsh(gram[finite])[:, 0]
    return out


def _times(traj):
    return np.broadcast_to(traj.times, (traj.state.shape[0], traj.times.size))


def _loss_star(traj):
    return np.broadcast_to(traj.model.loss_star[:, None], (traj.state.shape[0], traj.times.size))


def _h0(traj):
    return np.broadcast_to(h0(traj)[:, None], (traj.state.shape[0], traj.times.size))


QUANTITIES = {
    "t": _times,
    "L": loss,
    "L_star": _loss_star,
    "H": hamiltonian,
    "H0": _h0,
    "kinetic": kinetic,
    "lambda_min": ntk_lambda_min,
}
"""Scalar trajectory quantities by name: each maps a Trajectory to a (B, T) array."""


def lambdify_on(traj, expr, mapping) -> np.ndarray:
    """Evaluate the SymPy expression ``expr`` along ``traj``, result (B, T).

    ``mapping`` sends every free symbol of ``expr`` to its value: a name from
    :data:`QUANTITIES`, a callable traj -> array, an array broadcastable to (B, T) (a (B,)
    array is per instance) or a number.  Uses ``sympy.lambdify(..., "numpy")``.
    """
    if not isinstance(expr, sympy.Basic):
        raise InvalidParameter("expr", expr, "must be a SymPy expression",
                               fix="never text: build it with sympy, e.g. from derivations")
    missing = sorted(str(s) for s in expr.free_symbols if s not in mapping)
    if missing:
        raise InvalidParameter("mapping", sorted(str(s) for s in mapping),
                               f"has no value for the symbols {missing}")
    shape = (traj.state.shape[0], traj.times.size)
    symbols = list(mapping)
    values = []
    for sym in symbols:
        value = mapping[sym]
        if isinstance(value, str):
            if value not in QUANTITIES:
                raise InvalidParameter(f"mapping[{sym}]", value,
                                       f"must be one of {sorted(QUANTITIES)}")
            value = QUANTITIES[value](traj)
        elif callable(value):
            value = value(traj)
        value = np.asarray(value, dtype=float)
        if value.ndim == 1 and value.shape[0] == shape[0]:
            value = value[:, None]
        values.append(value)
    func = sympy.lambdify(symbols, expr, "numpy")
    return np.broadcast_to(np.asarray(func(*values), dtype=float), shape)
