"""Numeric evidence for ``hw_nonconvexity_at_zero`` (seed 003, Part 1): finite-difference gradients at 0
and an explicit violation of the convexity chord inequality (self-contained NumPy)."""

from __future__ import annotations

import numpy as np

from derivations import HOLDS_NUMERICALLY, INCONCLUSIVE, REFUTED, Verdict, register_trajectory_check

ID = "hw_nonconvexity_at_zero"


def _loss(flat, shapes, X, Y, act=np.tanh):
    ws, i = [], 0
    for s in shapes:
        n = s[0] * s[1]
        ws.append(flat[i:i + n].reshape(s))
        i += n
    z = X
    for n, W in enumerate(ws):
        z = W @ z
        if n < len(ws) - 1:
            z = act(z)
    return 0.5 * float(np.sum((z - Y) ** 2))


def _instances():
    rng = np.random.default_rng(11)
    out = []
    for widths in ((3, 4, 1), (3, 4, 4, 2), (2, 5, 3, 3, 1)):
        shapes = [(widths[n + 1], widths[n]) for n in range(len(widths) - 1)]
        X = rng.standard_normal((widths[0], 8))
        Y = rng.standard_normal((widths[-1], 8))
        out.append((widths, shapes, X, Y))
    return out


@register_trajectory_check(f"{ID}:FD")
def check_fd_gradient_at_zero() -> Verdict:
    h, worst, scale = 1e-6, 0.0, 0.0
    for widths, shapes, X, Y in _instances():
        P = sum(a * b for a, b in shapes)
        zero = np.zeros(P)
        for p in range(P):
            e = np.zeros(P); e[p] = h
            g = (_loss(zero + e, shapes, X, Y) - _loss(zero - e, shapes, X, Y)) / (2 * h)
            worst = max(worst, abs(g))
        # reference: the gradient at a random point is O(1), so 'zero' is meaningful
        w = np.random.default_rng(1).standard_normal(P) * 0.5
        e = np.zeros(P); e[0] = h
        scale = max(scale, abs((_loss(w + e, shapes, X, Y) - _loss(w - e, shapes, X, Y)) / (2 * h)))
    ok = worst <= 1e-7
    return Verdict(HOLDS_NUMERICALLY if ok else REFUTED, "trajectory",
                   f"tanh nets with widths (3,4,1), (3,4,4,2), (2,5,3,3,1), squared loss on 8 random points: every "
                   f"central finite difference (h = 1e-6) of L at W = 0 is <= {worst:.1e} (tol 1e-7; a partial "
                   f"derivative at a random W is {scale:.2f})", {"max_abs_fd": worst})


@register_trajectory_check(f"{ID}:nonconvex")
def check_chord_violation() -> Verdict:
    """Find W' with L(W') < L(0) by a few gradient steps, then show L(tau W') > (1 - tau) L(0) + tau L(W')."""
    widths, shapes, X, Y = _instances()[0]
    P = sum(a * b for a, b in shapes)
    w = np.random.default_rng(2).standard_normal(P) * 0.3
    h = 1e-6
    for _ in range(200):
        g = np.array([(_loss(w + e, shapes, X, Y) - _loss(w - e, shapes, X, Y)) / (2 * h) for e in np.eye(P) * h])
        w -= 0.02 * g
    l0, lw = _loss(np.zeros(P), shapes, X, Y), _loss(w, shapes, X, Y)
    if not lw < l0:
        return Verdict(INCONCLUSIVE, "trajectory", f"no W' with L(W') < L(0) found ({lw} vs {l0})", {})
    tau = 0.05
    lt = _loss(tau * w, shapes, X, Y)
    chord = (1 - tau) * l0 + tau * lw
    if lt > chord + 1e-9:
        return Verdict(REFUTED, "trajectory",
                       f"widths (3,4,1), tanh, squared loss: L(0) = {l0:.6f}, L(W') = {lw:.6f} < L(0), and at tau = 0.05 "
                       f"L(tau W') = {lt:.6f} > (1 - tau) L(0) + tau L(W') = {chord:.6f} (margin {lt - chord:.2e}): "
                       f"L is not convex", {"L0": l0, "LWp": lw, "LtauWp": lt, "chord": chord},
                       replay="from numeric_checks._checks_hw_nonconvex import check_chord_violation; "
                              "print(check_chord_violation())")
    return Verdict(INCONCLUSIVE, "trajectory", f"no chord violation at tau = {tau}", {})
