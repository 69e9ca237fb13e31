"""Numeric evidence for ``hw_smoothness_overparam`` (seed 003, Part 2 Q3): the difference quotient of grad phi
along the source's scaling constructions (self-contained NumPy)."""

from __future__ import annotations

import numpy as np

from derivations import HOLDS_NUMERICALLY, INCONCLUSIVE, REFUTED, Verdict, register_trajectory_check

ID = "hw_smoothness_overparam"


def grad_phi(ws, grad_l):
    """Blocks grad phi_j = W_{j+1:N}^T grad l(W_{1:N}) W_{1:j-1}^T (ws = [W_1, ..., W_N])."""
    d = ws[0].shape[0]
    P = np.eye(d)
    for w in ws:
        P = w @ P
    G = grad_l(P)
    out = []
    for j in range(len(ws)):
        left, right = np.eye(d), np.eye(d)
        for w in ws[j + 1:]:
            left = w @ left
        for w in ws[:j]:
            right = w @ right
        out.append(left.T @ G @ right.T)
    return np.concatenate([o.ravel() for o in out])


def quotient(a, b, grad_l):
    return np.linalg.norm(grad_phi(a, grad_l) - grad_phi(b, grad_l)) / np.linalg.norm(
        np.concatenate([x.ravel() for x in a]) - np.concatenate([x.ravel() for x in b]))


def ratios():
    rng = np.random.default_rng(5)
    d = 3
    Y = rng.standard_normal((d, d))
    Cm = rng.standard_normal((d, d))
    quad = lambda P: P - Y            # l = 1/2 |A - Y|^2 (non-affine)
    aff = lambda P: Cm                # l = <C, A>
    A, At = rng.standard_normal((d, d)), rng.standard_normal((d, d))
    out = {"nonaffine_N2": [], "affine_N3": [], "affine_N2": []}
    alphas = (1.0, 10.0, 100.0, 1000.0)
    for al in alphas:
        out["nonaffine_N2"].append(quotient([A / al, al * np.eye(d)], [At / al, al * np.eye(d)], quad))
        out["affine_N3"].append(quotient([A, np.eye(d) / al, al * np.eye(d)], [At, np.eye(d) / al, al * np.eye(d)], aff))
    for _ in range(500):
        a = [rng.standard_normal((d, d)) * 3 for _ in range(2)]
        b = [rng.standard_normal((d, d)) * 3 for _ in range(2)]
        out["affine_N2"].append(quotient(a, b, aff))
    return alphas, out, np.linalg.norm(Cm, 2)


@register_trajectory_check(f"{ID}:C2.ratio")
def check_ratio_growth() -> Verdict:
    alphas, out, c2 = ratios()
    na, a3 = np.array(out["nonaffine_N2"]), np.array(out["affine_N3"])
    # asymptotic growth order: log-log slope between the two largest alphas
    slope_na = float(np.log(na[-1] / na[-2]) / np.log(alphas[-1] / alphas[-2]))
    slope_a3 = float(np.log(a3[-1] / a3[-2]) / np.log(alphas[-1] / alphas[-2]))
    bounded = max(out["affine_N2"]) <= c2 * (1 + 1e-12)
    txt = (f"d = 3: difference quotient along the scaling, alpha = {alphas}: non-affine l, N = 2: "
           f"{', '.join(f'{v:.3g}' for v in na)} (log-log slope over the last decade {slope_na:.2f}); affine l, N = 3: "
           f"{', '.join(f'{v:.3g}' for v in a3)} (slope {slope_a3:.2f}); affine l, N = 2: max over 500 random pairs "
           f"{max(out['affine_N2']):.3f} <= |C|_2 = {c2:.3f}")
    if 1.9 < slope_na < 2.1 and 0.9 < slope_a3 < 1.1 and bounded:
        return Verdict(REFUTED, "trajectory", "no global beta: " + txt,
                       {"alphas": alphas, "nonaffine_N2": na.tolist(), "affine_N3": a3.tolist()},
                       replay="from numeric_checks._checks_hw_smooth import check_ratio_growth; print(check_ratio_growth())")
    return Verdict(INCONCLUSIVE, "trajectory", "unexpected growth pattern: " + txt, {})
