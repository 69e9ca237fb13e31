"""Numeric evidence for ``partitioned_nesterov`` (seed 002, Liao & Kyrillidis poster).

Additive models f(x, u) = 1/2 |A1 x + sigma(A2 u) - y|^2 with sigma = tanh (B = 1).  The poster's
Assumptions force A1 to be square and invertible: A3 (mu = sigma_min(A1)^2 > 0) needs full column
rank, A5 (min_x f(x, u) = f* for every u) needs range(A1) = R^n.  The constants are then
mu = sigma_min(A1)^2, L1 = sigma_max(A1)^2, L2 = 1 (g = 1/2|s - y|^2), G1 = B sigma_max(A2),
G2 = B sigma_max(A1) sigma_max(A2), and f* = 0.

Rates are checked as ``max_k (f_k - f*) / (bound_k (f_0 - f*)) <= 1`` over k <= K for
gradient descent (eta = c/L1, bound (1 - c/(4 kappa))^k, Theorem 2) and Nesterov's momentum
(2) (eta = c/L1, beta = (4 sqrt(kappa) - sqrt(c))/(4 sqrt(kappa) + 7 sqrt(c)), bound
2 (1 - c/(4 sqrt(kappa)))^k, Theorem 3), kappa = L1/mu.
"""

from __future__ import annotations

import numpy as np

from derivations import HOLDS_NUMERICALLY, REFUTED, Verdict, register_trajectory_check

ID = "partitioned_nesterov"
C_GRID = (0.1, 0.25, 0.5, 1.0)
K_STEPS = 300


class AdditiveModel:
    """f(x, u) = 1/2 |A1 x + tanh(A2 u) - y|^2 with square invertible A1 (realizable, f* = 0)."""

    def __init__(self, n: int, du: int, *, sv=(1.0, 2.0), a2_norm: float = 0.1, seed: int = 0):
        rng = np.random.default_rng(seed)
        q1, _ = np.linalg.qr(rng.standard_normal((n, n)))
        q2, _ = np.linalg.qr(rng.standard_normal((n, n)))
        s = np.linspace(sv[0], sv[1], n)
        self.a1 = q1 @ np.diag(s) @ q2.T
        a2 = rng.standard_normal((n, du))
        self.a2 = a2 * (a2_norm / np.linalg.norm(a2, 2))
        self.y = self.a1 @ rng.standard_normal(n) + np.tanh(self.a2 @ rng.standard_normal(du))
        self.n, self.du = n, du
        self.x0 = rng.standard_normal(n)
        self.u0 = rng.standard_normal(du)

    # constants
    @property
    def mu(self):
        return float(np.linalg.svd(self.a1, compute_uv=False).min() ** 2)

    @property
    def L1(self):
        return float(np.linalg.norm(self.a1, 2) ** 2)

    L2 = 1.0

    @property
    def G1(self):
        return float(np.linalg.norm(self.a2, 2))

    @property
    def G2(self):
        return float(np.linalg.norm(self.a1, 2) * np.linalg.norm(self.a2, 2))

    fstar = 0.0

    def value(self, x, u):
        r = self.a1 @ x + np.tanh(self.a2 @ u) - self.y
        return 0.5 * float(r @ r)

    def grads(self, x, u):
        r = self.a1 @ x + np.tanh(self.a2 @ u) - self.y
        return self.a1.T @ r, self.a2.T @ (r * (1 - np.tanh(self.a2 @ u) ** 2))

    def xstar(self, u):
        return np.linalg.solve(self.a1, self.y - np.tanh(self.a2 @ u))


class Quadratic:
    """f(w) = 1/2 w^T H w with spectrum in [mu, L] (trivial partition: u empty, f* = 0)."""

    def __init__(self, d: int, mu: float, L: float, seed: int = 0):
        rng = np.random.default_rng(seed)
        q, _ = np.linalg.qr(rng.standard_normal((d, d)))
        ev = np.concatenate([[mu, L], rng.uniform(mu, L, d - 2)]) if d >= 2 else np.array([mu])
        self.h = q @ np.diag(ev) @ q.T
        self.mu, self.L1, self.fstar = mu, L, 0.0
        self.x0 = rng.standard_normal(d)
        self.u0 = np.zeros(0)

    def value(self, x, u):
        return 0.5 * float(x @ self.h @ x)

    def grads(self, x, u):
        return self.h @ x, np.zeros(0)


def beta_poster(kappa: float, c: float) -> float:
    """The poster's momentum (4 sqrt(kappa) - sqrt(c))/(4 sqrt(kappa) + 7 sqrt(c))."""
    return (4 * np.sqrt(kappa) - np.sqrt(c)) / (4 * np.sqrt(kappa) + 7 * np.sqrt(c))


def run(model, method: str, c: float, k_steps: int = K_STEPS):
    """Function gaps f_k - f* for GD or Nesterov (2) with eta = c/L1 (and the poster's beta)."""
    kappa = model.L1 / model.mu
    eta = c / model.L1
    beta = beta_poster(kappa, c) if method == "nesterov" else 0.0
    x, u = model.x0.copy(), model.u0.copy()
    y, v = x.copy(), u.copy()
    gaps = [model.value(x, u) - model.fstar]
    for _ in range(k_steps):
        gx, gu = model.grads(y, v)
        xn, un = y - eta * gx, v - eta * gu
        y, v = xn + beta * (xn - x), un + beta * (un - u)
        x, u = xn, un
        gaps.append(model.value(x, u) - model.fstar)
    gaps = np.array(gaps)
    if not np.all(np.isfinite(gaps)):
        raise FloatingPointError(f"{method} diverged")
    return gaps, kappa


def rate_ratio(model, method: str, c: float, k_steps: int = K_STEPS) -> float:
    """max_{k >= 1} (f_k - f*) / (bound_k (f_0 - f*)): <= 1 means the theorem's rate form holds on this run."""
    gaps, kappa = run(model, method, c, k_steps)
    k = np.arange(len(gaps))
    if method == "gd":
        bound = (1 - c / (4 * kappa)) ** k
    else:
        bound = 2 * (1 - c / (4 * np.sqrt(kappa))) ** k
    floor = 1e-13 * gaps[0]  # below this the gaps are round-off
    mask = (gaps > floor) & (k >= 1)  # k = 0 is equality (GD) or a factor 2 (Nesterov) by construction
    return float(np.max(gaps[mask] / (bound[mask] * gaps[0])))


def audit_instances():
    models = [AdditiveModel(6, 4, sv=(1.0, 2.0), a2_norm=0.1, seed=s) for s in range(3)]
    models += [AdditiveModel(6, 4, sv=(1.0, 5.0), a2_norm=0.05, seed=10 + s) for s in range(2)]
    models += [Quadratic(5, 0.1, 1.0, seed=s) for s in range(3)]
    return models


def _rate_verdict(method: str) -> Verdict:
    rows, worst = [], 0.0
    for c in C_GRID:
        ratios = [rate_ratio(m, method, c) for m in audit_instances()]
        worst = max(worst, max(ratios))
        rows.append(f"c={c}: max ratio {max(ratios):.3f}")
    what = (f"{'gradient descent' if method == 'gd' else 'Nesterov (2)'} on 5 additive models (A1 6x6 with singular "
            f"values in [1,2] or [1,5], sigma_max(A2) in {{0.1, 0.05}}, tanh, realizable) and 3 quadratics "
            f"(kappa = 10), {K_STEPS} steps, c in {C_GRID}; ratio = max_k gap_k/(bound_k gap_0)")
    details = {"rows": rows, "worst": worst}
    if worst <= 1.0:
        return Verdict(HOLDS_NUMERICALLY, "trajectory", f"the rate form holds on every run (worst ratio "
                       f"{worst:.3f}; {'; '.join(rows)}); {what}", details)
    return Verdict(REFUTED, "trajectory", f"the rate form fails (worst ratio {worst:.3f}; {'; '.join(rows)}); {what}",
                   details)


@register_trajectory_check(f"{ID}:Thm2")
def check_thm2_gd_rate() -> Verdict:
    return _rate_verdict("gd")


@register_trajectory_check(f"{ID}:Thm3")
def check_thm3_nesterov_rate() -> Verdict:
    return _rate_verdict("nesterov")
