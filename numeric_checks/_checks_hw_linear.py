"""Numeric evidence for ``hw_linear_networks`` (seed 003, Part 3): gradient flow of small deep linear networks
(SciPy DOP853, rtol 1e-10, atol 1e-12) from balanced initialisations, self-contained."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from derivations import HOLDS_NUMERICALLY, INCONCLUSIVE, REFUTED, Verdict, register_trajectory_check

ID = "hw_linear_networks"
RTOL, ATOL = 1e-10, 1e-12


def _psd_power(M, q):
    """Principal power of a PSD matrix; eigenvalues below 1e-12 * max are exact zeros (rank-deficient inputs), and
    q = 0 gives the identity."""
    if q == 0:
        return np.eye(M.shape[0])
    ev, Q = np.linalg.eigh((M + M.T) / 2)
    ev = np.where(ev > 1e-12 * max(ev.max(), 1e-300), ev, 0.0)
    return (Q * ev**q) @ Q.T


def _balanced_square(rng, d, N):
    """W_j = V_{j+1} D_j Sigma V_j^T with random orthogonal V, signs D and common Sigma."""
    Vs = [np.linalg.qr(rng.standard_normal((d, d)))[0] for _ in range(N + 1)]
    S = np.diag(rng.uniform(0.5, 1.2, d))
    return [Vs[j + 1] @ np.diag(rng.choice([-1.0, 1.0], d)) @ S @ Vs[j].T for j in range(N)]


def _flow(ws0, grad_l, t_end, rtol=RTOL, atol=ATOL, n_eval=11):
    shapes = [w.shape for w in ws0]

    def unpack(z):
        out, i = [], 0
        for s in shapes:
            out.append(z[i:i + s[0] * s[1]].reshape(s)); i += s[0] * s[1]
        return out

    def rhs(_, z):
        ws = unpack(z)
        P = ws[0]
        for w in ws[1:]:
            P = w @ P
        G = grad_l(P)
        out = []
        for j in range(len(ws)):
            left = np.eye(ws[-1].shape[0]); right = np.eye(ws[0].shape[1])
            for w in ws[j + 1:][::-1]:
                left = left @ w
            for w in ws[:j]:
                right = w @ right
            out.append(-(left.T @ G @ right.T).ravel())
        return np.concatenate(out)
    ts = np.linspace(0, t_end, n_eval)
    sol = solve_ivp(rhs, (0, t_end), np.concatenate([w.ravel() for w in ws0]), method="DOP853", rtol=rtol, atol=atol,
                    t_eval=ts)
    return ts, [unpack(sol.y[:, k]) for k in range(len(ts))], sol.success


@register_trajectory_check(f"{ID}:Q1.traj")
def check_balancedness_along_flow() -> Verdict:
    rng = np.random.default_rng(31)
    worst = 0.0
    for d, N in ((2, 3), (3, 4)):
        Y = rng.standard_normal((d, d))
        _, traj, ok = _flow(_balanced_square(rng, d, N), lambda P: P - Y, 2.0)
        if not ok:
            return Verdict(INCONCLUSIVE, "trajectory", "integration failed", {})
        for ws in traj:
            P = np.eye(d)
            parts = []
            for w in ws:
                P = w @ P; parts.append(P.copy())
            E = parts[-1].T @ parts[-1]
            for j in range(1, N + 1):
                Pj = parts[j - 1]
                worst = max(worst, np.linalg.norm(Pj.T @ Pj - _psd_power(E, j / N)) / (1 + np.linalg.norm(E)))
    ok = worst < 1e-6
    return Verdict(HOLDS_NUMERICALLY if ok else REFUTED, "trajectory",
                   f"gradient flow on l = 1/2|W - Y|^2 (d = 2, N = 3 and d = 3, N = 4; balanced start; t in [0, 2], 11 times; "
                   f"DOP853 rtol {RTOL:g}): max |W_1:j^T W_1:j - (W^T W)^(j/N)| / (1 + |W^T W|) = {worst:.1e} (tol 1e-6)",
                   {"worst": worst})


@register_trajectory_check(f"{ID}:Q2.fd")
def check_uut_dynamics() -> Verdict:
    rng = np.random.default_rng(32)
    d = 3
    Y = rng.standard_normal((d, d)); K = rng.standard_normal((d, d))
    grad_l = lambda A: (A - Y) + K * 0.3  # l = 1/2|A - Y|^2 + 0.3 <K, A>: non-symmetric gradient

    def rhs(_, z):
        Um = z.reshape(d, d)
        G = grad_l(Um @ Um.T)
        return (-(G.T + G) @ Um).ravel()
    U0 = rng.standard_normal((d, d)) * 0.5
    sol = solve_ivp(rhs, (0, 1.5), U0.ravel(), method="DOP853", rtol=1e-12, atol=1e-13, dense_output=True)
    h, worst = 1e-5, 0.0
    for tt in np.linspace(0.1, 1.4, 8):
        Wp = sol.sol(tt + h).reshape(d, d); Wm = sol.sol(tt - h).reshape(d, d)
        fd = (Wp @ Wp.T - Wm @ Wm.T) / (2 * h)
        Um = sol.sol(tt).reshape(d, d); Wt = Um @ Um.T; G = grad_l(Wt)
        formula = -(G.T + G) @ Wt - Wt @ (G.T + G).T
        worst = max(worst, np.linalg.norm(fd - formula) / (1 + np.linalg.norm(formula)))
    ok = worst < 1e-6
    return Verdict(HOLDS_NUMERICALLY if ok else REFUTED, "trajectory",
                   f"U' = -grad phi(U) (d = 3, l with non-symmetric gradient, DOP853 rtol 1e-12): central differences "
                   f"(h = 1e-5) of W = U U^T at 8 times vs -(G^T+G)W - W(G^T+G)^T: max rel. difference {worst:.1e} "
                   f"(tol 1e-6)", {"worst": worst})


def _row_instances(rng):
    out = []
    for N, d0, hid in ((2, 3, 4), (3, 4, 3), (4, 3, 5)):
        X = rng.standard_normal((d0, 10)); yv = rng.standard_normal((1, 10))
        a = rng.uniform(0.5, 1.5); u = rng.standard_normal(d0); u /= np.linalg.norm(u)
        qs = [u] + [(lambda v: v / np.linalg.norm(v))(rng.standard_normal(hid)) for _ in range(N - 1)]
        ws = [a ** (1 / N) * np.outer(qs[1], qs[0])]
        for j in range(2, N):
            ws.append(a ** (1 / N) * np.outer(qs[j], qs[j - 1]))
        ws.append(a ** (1 / N) * qs[N - 1][None, :])
        out.append((N, X, yv, ws))
    return out


@register_trajectory_check(f"{ID}:Q3.traj")
def check_row_vector_end_to_end() -> Verdict:
    rng = np.random.default_rng(33)
    worst_final, worst_sum = 0.0, 0.0
    for N, X, yv, ws in _row_instances(rng):
        grad_l = lambda P: (P @ X - yv) @ X.T / X.shape[1]
        ts, traj, ok = _flow(ws, grad_l, 3.0)
        if not ok:
            return Verdict(INCONCLUSIVE, "trajectory", "integration failed", {})
        W0 = ws[0]
        for w in ws[1:]:
            W0 = w @ W0

        def e2e(_, z, N=N):
            Wr = z[None, :]; g = grad_l(Wr); r = np.linalg.norm(Wr)
            return (-r ** (2 - 2 / N) * g - (N - 1) * r ** (-2 / N) * (g @ Wr.T).item() * Wr).ravel()

        def e2e_sum(_, z, N=N):  # the class formula (*) with PSD powers
            Wr = z[None, :]; g = grad_l(Wr); out = np.zeros_like(Wr)
            for j in range(1, N + 1):
                out -= (Wr @ Wr.T).item() ** ((j - 1) / N) * g @ _psd_power(Wr.T @ Wr, (N - j) / N)
            return out.ravel()
        s1 = solve_ivp(e2e, (0, 3.0), W0.ravel(), method="DOP853", rtol=RTOL, atol=ATOL, t_eval=ts)
        s2 = solve_ivp(e2e_sum, (0, 3.0), W0.ravel(), method="DOP853", rtol=RTOL, atol=ATOL, t_eval=ts)
        for k, wsk in enumerate(traj):
            P = wsk[0]
            for w in wsk[1:]:
                P = w @ P
            worst_final = max(worst_final, float(np.max(np.abs(P.ravel() - s1.y[:, k]))))
            worst_sum = max(worst_sum, float(np.max(np.abs(P.ravel() - s2.y[:, k]))))
    ok = worst_final < 1e-7 and worst_sum < 1e-7
    return Verdict(HOLDS_NUMERICALLY if ok else REFUTED, "trajectory",
                   f"deep linear nets with row output (N = 2, 3, 4; hidden widths 3-5; balanced start; l = mean squared "
                   f"error on 10 points; t in [0, 3], DOP853 rtol {RTOL:g} atol {ATOL:g}): max |W_1:N(t) - W_e2e(t)| = "
                   f"{worst_final:.1e} for the source's final formula, {worst_sum:.1e} for the class formula (*) (tol 1e-7)",
                   {"worst_final": worst_final, "worst_sum": worst_sum})
