"""Trajectory evidence for seed 001 (Bu, Xu & Chen 2021): the two-layer ReLU NTK model under
gradient flow, heavy-ball flow (b = sqrt(2 lambda0)) and the gamma/t Nesterov flow.

Self-contained NumPy/SciPy code (the model is tiny and piecewise linear, so correctness is
easy to audit): ``f(x) = m^{-1/2} sum_r a_r relu(w_r^T x)``, ``a_r in {+-1}`` fixed, unit-norm
inputs, only ``W`` trained, ``L = 1/2 |f - y|^2``.  Flows are integrated
with classical RK4 at a fixed step (default 0.02): the ReLU kinks make the vector field
discontinuous and admit Filippov sliding modes, on which adaptive controllers chatter; a fixed
step resolves each kink to O(h) (the error is controlled, not eliminated:
every violation is confirmed at a 10x smaller step before it is reported).

Public helpers: :func:`make_problem`, :func:`simulate` (``track_flips``), :func:`quantities`,
:func:`hb_bounds`, :func:`nag_bounds`, :func:`figure_data`; the ``check_*`` functions are registered as
trajectory evidence for the steps of ``ntk_gradient_flow``, ``ntk_heavy_ball_lyapunov`` and
``ntk_nesterov_lyapunov``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from derivations import HOLDS_NUMERICALLY, INCONCLUSIVE, REFUTED, Verdict, register_trajectory_check

H_STEP = 0.01  # default fixed RK4 step


# ----------------------------------------------------------------------------- the model


@dataclass
class Problem:
    X: np.ndarray  # (n, p) unit rows
    y: np.ndarray  # (n,)
    a: np.ndarray  # (m,) in {+-1}
    W0: np.ndarray  # (m, p)
    seed: int = 0

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def m(self) -> int:
        return self.W0.shape[0]

    @property
    def p(self) -> int:
        return self.X.shape[1]

    def hinf(self) -> np.ndarray:
        G = np.clip(self.X @ self.X.T, -1.0, 1.0)
        return (0.5 - np.arccos(G) / (2 * np.pi)) * G

    @property
    def lambda0(self) -> float:
        return float(np.linalg.eigvalsh(self.hinf())[0])

    def pre(self, W):
        return W @ self.X.T  # (m, n)

    def f(self, W):
        return self.a @ np.maximum(self.pre(W), 0.0) / math.sqrt(self.m)

    def delta(self, W):
        return self.f(W) - self.y

    def act(self, W):
        return self.pre(W) > 0

    def grad(self, W, act=None):
        act = self.act(W) if act is None else act
        d = self.delta(W)
        return (self.a[:, None] * (act * d[None, :])) @ self.X / math.sqrt(self.m)

    def gram(self, act):
        return (self.X @ self.X.T) * (act.T.astype(float) @ act.astype(float)) / self.m

    def delta_dot(self, Wd, act):
        """Delta' = sum_r (df/dw_r) w_r' for the activation pattern ``act``."""
        return (self.a[:, None] * act * (Wd @ self.X.T)).sum(axis=0) / math.sqrt(self.m)


def make_problem(n: int, p: int, m: int, seed: int, *, X: np.ndarray | None = None) -> Problem:
    """Unit-norm Gaussian inputs (a.s. non-parallel), labels U(-1, 1), W0 ~ N(0, I), a ~ unif{+-1}."""
    rng = np.random.default_rng(seed)
    if X is None:
        X = rng.standard_normal((n, p))
        X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = rng.uniform(-1.0, 1.0, n)
    a = rng.choice([-1.0, 1.0], m)
    W0 = rng.standard_normal((m, p))
    return Problem(X, y, a, W0, seed)


# ----------------------------------------------------------------------------- dynamics


@dataclass
class Run:
    prob: Problem
    method: str
    ts: np.ndarray
    W: np.ndarray  # (T, m, p) stored states
    Wd: np.ndarray | None  # (T, m, p) velocities (None for gradient flow)
    params: dict = field(default_factory=dict)
    flips: list = field(default_factory=list)
    ok: bool = True


def _rk4(f, t, z, h):
    k1 = f(t, z)
    k2 = f(t + h / 2, z + h / 2 * k1)
    k3 = f(t + h / 2, z + h / 2 * k2)
    k4 = f(t + h, z + h * k3)
    return z + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def simulate(prob: Problem, method: str, T: float, *, n_grid: int = 400, b: float | None = None,
             gamma: float = 3.0, t0: float = 1e-2, h: float = 0.01, track_flips: bool = False) -> Run:
    """Integrate ``gd`` (gradient flow), ``hb`` (W'' + b W' + grad L = 0, W'(0) = 0; default
    b = sqrt(2 lambda0)) or ``nag`` (W'' + (gamma/t) W' + grad L = 0 from the series start
    W(t0) = W0 - t0^2/(2(gamma+1)) grad L(W0), W'(t0) = -t0/(gamma+1) grad L(W0)) on [0, T].

    Classical RK4 with a fixed step ``h`` (the ReLU kinks make the vector field discontinuous
    and admit Filippov sliding modes, where adaptive controllers chatter; a fixed step resolves
    a kink to O(h)).  The state is stored on ``n_grid`` roughly equally spaced steps; with
    ``track_flips`` every activation flip is recorded with the jump of the heavy-ball Lyapunov
    function V across it (state linearly interpolated to the crossing)."""
    m, p = prob.m, prob.p
    size = m * p
    if method == "gd":
        def rhs(_t, z):
            return -prob.grad(z.reshape(m, p)).ravel()
        z, tt = prob.W0.ravel().copy(), 0.0
    elif method in ("hb", "nag"):
        if method == "hb" and b is None:
            b = math.sqrt(2 * prob.lambda0)

        def rhs(s, z):
            W, V = z[:size].reshape(m, p), z[size:]
            damp = b if method == "hb" else gamma / s
            return np.concatenate([V, -damp * V - prob.grad(W).ravel()])
        if method == "hb":
            z, tt = np.concatenate([prob.W0.ravel(), np.zeros(size)]), 0.0
        else:
            g0 = prob.grad(prob.W0).ravel()
            z = np.concatenate([prob.W0.ravel() - t0**2 / (2 * (gamma + 1)) * g0, -t0 / (gamma + 1) * g0])
            tt = t0
    else:
        raise ValueError(f"method={method!r}: one of 'gd', 'hb', 'nag'")
    n_steps = max(1, int(math.ceil((T - tt) / h)))
    hh = (T - tt) / n_steps
    store = set(np.unique(np.linspace(0, n_steps, min(n_grid, n_steps + 1)).round().astype(int)).tolist())
    ts, Ws, Wds, flips = [], [], [], []
    sign = (z[:size].reshape(m, p) @ prob.X.T) > 0
    ok = True
    for k in range(n_steps + 1):
        if k in store:
            ts.append(tt)
            Ws.append(z[:size].reshape(m, p).copy())
            if method != "gd":
                Wds.append(z[size:].reshape(m, p).copy())
        if k == n_steps:
            break
        znew = _rk4(rhs, tt, z, hh)
        if not np.all(np.isfinite(znew)):
            ok = False
            break
        pre_old = z[:size].reshape(m, p) @ prob.X.T
        pre_new = znew[:size].reshape(m, p) @ prob.X.T
        new_sign = pre_new > 0
        if track_flips and method != "gd":
            for r, i in np.argwhere(new_sign != sign):
                lam = pre_old[r, i] / (pre_old[r, i] - pre_new[r, i]) if pre_old[r, i] != pre_new[r, i] else 0.5
                zc = z + lam * (znew - z)
                W, Wd = zc[:size].reshape(m, p), zc[size:].reshape(m, p)
                before = W @ prob.X.T > 0
                before[r, i] = sign[r, i]
                after = before.copy()
                after[r, i] = new_sign[r, i]
                vb, va = lyapunov_hb(prob, W, Wd, before), lyapunov_hb(prob, W, Wd, after)
                flips.append({"t": tt + lam * hh, "r": int(r), "i": int(i), "V_before": vb, "V_after": va,
                              "jump": va - vb, "rel_jump": (va - vb) / vb if vb > 0 else float("nan")})
        elif track_flips:
            for r, i in np.argwhere(new_sign != sign):
                flips.append({"t": tt + hh, "r": int(r), "i": int(i)})
        sign = new_sign
        z, tt = znew, tt + hh
    W = np.asarray(Ws)
    Wd = np.asarray(Wds) if method != "gd" else None
    return Run(prob, method, np.asarray(ts), W, Wd, {"b": b, "gamma": gamma, "t0": t0, "h": hh}, flips, ok)


def quantities(run: Run) -> dict[str, np.ndarray]:
    """Along the grid: L, Lhat = 1/2 Delta^T H Delta, lambda_min(H), max_r |w_r - w_r(0)|,
    |Delta'| (pattern at the grid point), the HB Lyapunov V, the NAG energy E = L + 1/2 sum |w_r'|^2,
    max_r |w_r'|."""
    prob = run.prob
    out = {k: [] for k in ("L", "Lhat", "lmin", "dist", "V", "E", "vmax")}
    alpha = math.sqrt(prob.lambda0 / 2)
    for k in range(len(run.ts)):
        W = run.W[k]
        act = prob.act(W)
        d = prob.delta(W)
        H = prob.gram(act)
        out["L"].append(0.5 * d @ d)
        out["Lhat"].append(0.5 * d @ H @ d)
        out["lmin"].append(np.linalg.eigvalsh(H)[0])
        out["dist"].append(np.linalg.norm(W - prob.W0, axis=1).max())
        if run.Wd is not None:
            Wd = run.Wd[k]
            dd = prob.delta_dot(Wd, act)
            e = alpha * d + dd
            out["V"].append(0.5 * d @ H @ d + 0.5 * e @ e)
            out["E"].append(0.5 * d @ d + 0.5 * float(np.sum(Wd * Wd)))
            out["vmax"].append(np.linalg.norm(Wd, axis=1).max())
    return {k: np.asarray(v) for k, v in out.items() if v}


def lyapunov_hb(prob: Problem, W: np.ndarray, Wd: np.ndarray, act: np.ndarray) -> float:
    alpha = math.sqrt(prob.lambda0 / 2)
    d = prob.delta(W)
    e = alpha * d + prob.delta_dot(Wd, act)
    return float(0.5 * d @ prob.gram(act) @ d + 0.5 * e @ e)


# ----------------------------------------------------------------------------- bounds along runs


def hb_bounds(run: Run, q: dict | None = None) -> dict:
    """Margins of the heavy-ball bounds along a run (ratios <= 1 mean the bound holds)."""
    prob = run.prob
    q = quantities(run) if q is None else q
    lam0 = prob.lambda0
    alpha = math.sqrt(lam0 / 2)
    t = run.ts
    Lhat0 = q["Lhat"][0]
    bound_L = 2 / alpha**2 * np.exp(-alpha * t) * Lhat0
    Rp = math.sqrt(32 * prob.n * Lhat0 / (9 * prob.m * alpha**6))
    Rp_corr = math.sqrt(64 * prob.n * Lhat0 / (9 * prob.m * alpha**6))
    veff = q["V"] * np.exp(alpha * t)
    k = int(np.argmax(np.diff(veff)))
    return {
        "lmin_ratio": float(np.min(q["lmin"]) / (lam0 / 2)),
        "loss_ratio": float(np.max(q["L"] / bound_L)),  # <= 1: the loss bound of Lemma 3.3 holds
        "lyap_ratio": float(np.max(veff[1:] / q["V"][0])),  # < 1: V(t) < e^{-alpha t} V(0) for t > 0
        "lyap_increase": float((veff[k + 1] - veff[k]) / q["V"][0]),  # > 0: V e^{alpha t} not monotone
        "lyap_increase_window": (float(t[k]), float(t[k + 1])),
        "dist_over_Rp": float(q["dist"].max() / Rp),
        "dist_over_Rp_corrected": float(q["dist"].max() / Rp_corr),
        "Rp": Rp, "lambda0": lam0, "alpha": alpha,
    }


def fitted_rate(t: np.ndarray, L: np.ndarray, lo: float = 0.2, hi: float = 0.9) -> float:
    """Least-squares slope of -log L against t on the window [lo T, hi T] (linear convergence rate)."""
    T = t[-1]
    sel = (t >= lo * T) & (t <= hi * T) & (L > 0)
    return float(-np.polyfit(t[sel], np.log(L[sel]), 1)[0])


def fitted_power(t: np.ndarray, L: np.ndarray, lo: float, hi: float) -> float:
    """Slope of log(running-max envelope of L from the right) against log t on [lo, hi]."""
    env = np.maximum.accumulate(L[::-1])[::-1]
    sel = (t >= lo) & (t <= hi) & (env > 0)
    return float(-np.polyfit(np.log(t[sel]), np.log(env[sel]), 1)[0])


# ----------------------------------------------------------------------------- fixed audit instances

#: small fixed instances used by the audit (each check runs in a few seconds)
AUDIT = dict(n=6, p=4, seeds=(0, 1), wide=256, h=0.02)

#: counterexample found by the search in tests/test_ntk_trajectories.py: lambda_min(H(t)) >= lambda0/2
#: throughout, yet V(t) e^{alpha t} increases across two activation flips near t = 0.89, 0.91
HB_MONOTONE_COUNTEREXAMPLE = dict(n=6, p=4, m=64, seed=1, t_end=1.2, h=0.02)


def _instances(m: int, seeds=AUDIT["seeds"]):
    return [make_problem(AUDIT["n"], AUDIT["p"], m, s) for s in seeds]


_CACHE: dict = {}


def _gd_audit():
    if "gd" not in _CACHE:
        rows = []
        for prob in _instances(AUDIT["wide"]):
            lam0 = prob.lambda0
            run = simulate(prob, "gd", 3.0 / lam0, n_grid=200, h=AUDIT["h"], track_flips=True)
            q = quantities(run)
            from collections import Counter
            cnt = Counter((f["r"], f["i"]) for f in run.flips)
            rows.append({"seed": prob.seed, "lambda0": lam0, "ok": run.ok,
                         "lmin_ratio": float(q["lmin"].min() / (lam0 / 2)),
                         "loss_ratio": float(np.max(q["L"] / (np.exp(-lam0 * run.ts) * q["L"][0]))),
                         "flips": len(run.flips), "chattering_pairs": sum(v >= 3 for v in cnt.values())})
        _CACHE["gd"] = rows
    return _CACHE["gd"]


@register_trajectory_check("ntk_gradient_flow:(Theorem 1 lazy)")
def check_gd_lazy_and_rate() -> Verdict:
    """Gradient flow: lambda_min(H(t)) >= lambda0/2 and L(t) <= exp(-lambda0 t) L(0) on [0, 3/lambda0]."""
    rows = _gd_audit()
    if not all(r["ok"] for r in rows):
        return Verdict(INCONCLUSIVE, "trajectory", "a gradient-flow run produced non-finite values", {"rows": rows})
    ok = all(r["lmin_ratio"] >= 1 and r["loss_ratio"] <= 1 + 1e-9 for r in rows)
    txt = "; ".join(f"seed {r['seed']}: min lambda_min(H)/(lambda0/2) = {r['lmin_ratio']:.3f}, "
                    f"max L/(e^(-lambda0 t) L0) = {r['loss_ratio']:.6f}, {r['chattering_pairs']} (neuron, sample) "
                    f"pairs chatter on a kink (sliding mode)" for r in rows)
    return Verdict(HOLDS_NUMERICALLY if ok else INCONCLUSIVE, "trajectory",
                   f"gradient flow, n = {AUDIT['n']}, p = {AUDIT['p']}, m = {AUDIT['wide']}, t in [0, 3/lambda0], "
                   f"RK4 step {AUDIT['h']}, 200 stored points, tolerance 1e-9 on the ratio: {txt}"
                   + ("" if ok else " (bound fails at this width)"), {"rows": rows})


def _hb_audit():
    if "hb" not in _CACHE:
        runs = [simulate(p, "hb", 12.0 / math.sqrt(p.lambda0 / 2), n_grid=300, h=AUDIT["h"], track_flips=True)
                for p in _instances(AUDIT["wide"])]
        qs = [quantities(r) for r in runs]
        _CACHE["hb"] = (runs, qs, [hb_bounds(r, q) for r, q in zip(runs, qs)])
    return _CACHE["hb"]


@register_trajectory_check("ntk_heavy_ball_lyapunov:(Lemma 3.3 loss)")
def check_hb_loss_bound() -> Verdict:
    runs, _, bs = _hb_audit()
    ok = all(r.ok for r in runs) and all(b["loss_ratio"] <= 1 and b["lmin_ratio"] >= 1 for b in bs)
    txt = "; ".join(f"seed {r.prob.seed}: max L/((2/alpha^2) e^(-alpha t) Lhat0) = {b['loss_ratio']:.3g}, "
                    f"min lambda_min/(lambda0/2) = {b['lmin_ratio']:.3f}" for r, b in zip(runs, bs))
    return Verdict(HOLDS_NUMERICALLY if ok else INCONCLUSIVE, "trajectory",
                   f"heavy-ball flow b = sqrt(2 lambda0), W'(0) = 0, n = {AUDIT['n']}, p = {AUDIT['p']}, "
                   f"m = {AUDIT['wide']}, t in [0, 12/alpha], RK4 step {AUDIT['h']}, 300 stored points: {txt}",
                   {"rows": bs})


@register_trajectory_check("ntk_heavy_ball_lyapunov:(3.10)")
def check_hb_lyapunov_gronwall() -> Verdict:
    """V(t) < e^{-alpha t} V(0) for t > 0 along runs, and the jumps of V at activation flips."""
    runs, _, bs = _hb_audit()
    ratios = [b["lyap_ratio"] for b in bs]
    flips = [f for r in runs for f in r.flips]
    ups = [f for f in flips if f["jump"] > 0]
    max_up = max((f["rel_jump"] for f in ups), default=0.0)
    ok = all(r.ok for r in runs) and max(ratios) < 1
    ev = (f"heavy-ball flow, m = {AUDIT['wide']}, seeds {AUDIT['seeds']}, t in (0, 12/alpha], RK4 step {AUDIT['h']}: "
          f"max_t V(t) e^(alpha t)/V(0) = {max(ratios):.4f} (< 1 required); {len(flips)} activation flips, {len(ups)} "
          f"of them make V jump UP (largest relative jump {max_up:.2e}); the slack of the chain absorbs them here")
    return Verdict(HOLDS_NUMERICALLY if ok else INCONCLUSIVE, "trajectory", ev,
                   {"lyap_ratio": ratios, "n_flips": len(flips), "n_up": len(ups), "max_rel_up_jump": max_up})


def replay_hb_monotone_counterexample(h: float | None = None) -> dict:
    """Re-run the stored counterexample to the monotonicity of V(t) e^{alpha t}."""
    c = HB_MONOTONE_COUNTEREXAMPLE
    prob = make_problem(c["n"], c["p"], c["m"], c["seed"])
    run = simulate(prob, "hb", c["t_end"], n_grid=int(c["t_end"] / 0.02) + 1, h=h or c["h"], track_flips=True)
    q = quantities(run)
    alpha = math.sqrt(prob.lambda0 / 2)
    veff = q["V"] * np.exp(alpha * run.ts)
    k = int(np.argmax(np.diff(veff)))
    return {"increase": float(veff[k + 1] - veff[k]), "t1": float(run.ts[k]), "t2": float(run.ts[k + 1]),
            "V_eff_1": float(veff[k]), "V_eff_2": float(veff[k + 1]),
            "lmin_ratio": float(q["lmin"].min() / (prob.lambda0 / 2)),
            "up_flips": [(round(f["t"], 4), f["r"], f["i"], f["rel_jump"]) for f in run.flips
                         if f["jump"] > 0 and run.ts[k] <= f["t"] <= run.ts[k + 1]]}


@register_trajectory_check("ntk_heavy_ball_lyapunov:(3.10 mono)")
def check_hb_lyapunov_monotone() -> Verdict:
    """V(t) e^{alpha t} non-increasing (what Gronwall needs): replay the stored counterexample."""
    c = HB_MONOTONE_COUNTEREXAMPLE
    r1 = replay_hb_monotone_counterexample()
    r2 = replay_hb_monotone_counterexample(h=c["h"] / 10)
    diff = abs(r1["increase"] - r2["increase"])
    replay = ("from numeric_checks._checks_ntk import replay_hb_monotone_counterexample as r; "
              "print(r(), r(h=0.002))")
    if r1["increase"] > 0 and r2["increase"] > diff and r1["lmin_ratio"] >= 1:
        return Verdict(REFUTED, "trajectory",
                       f"n = {c['n']}, p = {c['p']}, m = {c['m']}, seed {c['seed']} (make_problem): lambda_min(H(t)) >= "
                       f"{r1['lmin_ratio']:.3f} lambda0/2 on [0, {c['t_end']}], yet V e^(alpha t) rises from "
                       f"{r2['V_eff_1']:.5f} (t = {r2['t1']:.3f}) to {r2['V_eff_2']:.5f} (t = {r2['t2']:.3f}) across "
                       f"the upward flip jumps {[(tt, rr, ii, f'{j:.2e}') for tt, rr, ii, j in r2['up_flips']]} "
                       f"(t, neuron, sample, relative jump); RK4 step 0.02 and 0.002 agree (increase {r1['increase']:.2e} "
                       f"vs {r2['increase']:.2e}, difference {diff:.1e})", {"h": r1, "h_over_10": r2}, replay)
    return Verdict(INCONCLUSIVE, "trajectory", f"stored counterexample not confirmed: {r1} / {r2}",
                   {"h": r1, "h_over_10": r2}, replay)


@register_trajectory_check("ntk_heavy_ball_lyapunov:(Lemma 3.3 R')")
def check_hb_weight_distance() -> Verdict:
    runs, _, bs = _hb_audit()
    r = [b["dist_over_Rp"] for b in bs]
    rc = [b["dist_over_Rp_corrected"] for b in bs]
    ok = max(r) <= 1
    return Verdict(HOLDS_NUMERICALLY if ok else INCONCLUSIVE, "trajectory",
                   f"heavy-ball flow, m = {AUDIT['wide']}, seeds {AUDIT['seeds']}, t in [0, 12/alpha]: "
                   f"max_r |w_r(t) - w_r(0)| / R' = " + ", ".join(f"{x:.3g}" for x in r)
                   + " (R' = sqrt(32 n Lhat0/(9 m alpha^6)) as stated); / corrected sqrt(64 n Lhat0/(9 m alpha^6)) = "
                   + ", ".join(f"{x:.3g}" for x in rc) + ": both hold with a wide margin (the missing sqrt(2) is "
                   "invisible numerically)", {"dist_over_Rp": r, "dist_over_Rp_corrected": rc})


# ----------------------------------------------------------------------------- Nesterov


def nag_bounds(run: Run, q: dict | None = None, alpha_exp: float = 4.0) -> dict:
    prob = run.prob
    q = quantities(run) if q is None else q
    t = run.ts
    L0 = 0.5 * float(np.sum(prob.delta(prob.W0) ** 2))  # L(W(0)), before the series start
    lam0 = prob.lambda0
    E = q["E"]
    sel = t >= 1.0
    Cemp = float(np.max(t[sel] ** alpha_exp * q["L"][sel] * (lam0 / 2) ** (alpha_exp / 2) / L0))
    return {"energy_max_rel_increase": float((np.diff(E) / L0).max()), "energy_over_L0": float(E.max() / L0),
            "vmax_over_sqrt2L0": float(q["vmax"].max() / math.sqrt(2 * L0)),
            "lmin_ratio": float(q["lmin"].min() / (lam0 / 2)), "C_emp": Cemp, "lambda0": lam0,
            "dist": float(q["dist"].max())}


def _nag_audit(gamma=8.0):
    key = ("nag", gamma)
    if key not in _CACHE:
        runs = [simulate(p, "nag", 40.0 / math.sqrt(p.lambda0), gamma=gamma, n_grid=300, h=AUDIT["h"])
                for p in _instances(256)]
        qs = [quantities(r) for r in runs]
        _CACHE[key] = (runs, qs, [nag_bounds(r, q) for r, q in zip(runs, qs)])
    return _CACHE[key]


@register_trajectory_check("ntk_nesterov_lyapunov:(E.2)")  # used by step (E traj)
def check_nag_energy() -> Verdict:
    runs, qs, bs = _nag_audit()
    inc = max(b["energy_max_rel_increase"] for b in bs)
    top = max(b["energy_over_L0"] for b in bs)
    v = max(b["vmax_over_sqrt2L0"] for b in bs)
    tol = 1e-8
    ok = all(r.ok for r in runs) and inc <= tol and top <= 1 + tol and v <= 1 + tol
    return Verdict(HOLDS_NUMERICALLY if ok else INCONCLUSIVE, "trajectory",
                   f"Nesterov flow gamma = 8 (series start t0 = 0.01), n = {AUDIT['n']}, p = {AUDIT['p']}, m = 256, "
                   f"seeds {AUDIT['seeds']}, t in [t0, 40/sqrt(lambda0)], RK4 step {AUDIT['h']}: largest increase of E "
                   f"between stored points = {inc:.1e} L(0) (tolerance {tol:g}), max E/L(0) = {top:.8f}, "
                   f"max_r |w_r'|/sqrt(2 L(0)) = {v:.3g}", {"rows": bs})


@register_trajectory_check("ntk_nesterov_lyapunov:(4.7)")
def check_nag_polynomial_rate() -> Verdict:
    """sup_t t^4 L(t) (lambda0/2)^2 / L(0) is finite (alpha = 4 < 2 gamma/3 for gamma = 8)."""
    runs, qs, bs = _nag_audit()
    C = [b["C_emp"] for b in bs]
    lm = [b["lmin_ratio"] for b in bs]
    ok = all(r.ok for r in runs) and all(np.isfinite(C)) and min(lm) >= 1
    return Verdict(HOLDS_NUMERICALLY if ok else INCONCLUSIVE, "trajectory",
                   f"Nesterov flow gamma = 8, m = 256, seeds {AUDIT['seeds']}, t in [1, 40/sqrt(lambda0)]: "
                   f"sup_t t^4 L(t) (lambda0/2)^2 / L(0) = " + ", ".join(f"{c:.3g}" for c in C)
                   + " (an admissible C(4, 8) on these runs; the source leaves C unspecified); "
                   f"min lambda_min(H)/(lambda0/2) = {min(lm):.3f}", {"C_emp": C, "lmin_ratio": lm})


# ----------------------------------------------------------------------------- figure data


def figure_data(quick: bool = True) -> dict:
    """Loss curves of GD / HB / NAG on one two-layer network (Figures 1-2) and a width sweep
    for Figure 3 (min over seeds of min_t lambda_min(H(t))/(lambda0/2) along NAG runs, per gamma).

    Quick mode: n = 6, p = 4, m = 128, one seed; the sweep uses widths (16, 64, 256) and gamma in
    (4, 8, 16).  Returns plain arrays and floats (no plotting)."""
    n, p = (6, 4) if quick else (10, 5)
    m = 128 if quick else 2048
    prob = make_problem(n, p, m, 0)
    lam0 = prob.lambda0
    T = 30.0 / math.sqrt(lam0) if quick else 80.0 / math.sqrt(lam0)
    grid = 150 if quick else 600
    curves = {}
    for name, kw in (("gd", {}), ("hb", {}), ("nag_gamma8", {"gamma": 8.0})):
        method = name.split("_")[0]
        run = simulate(prob, method, T, n_grid=grid, h=0.02, **kw)
        q = quantities(run)
        curves[name] = {"t": run.ts, "L": q["L"]}
    widths = (16, 64, 256) if quick else (16, 64, 256, 1024, 4096)
    gammas = (4.0, 8.0, 16.0)
    sweep = {}
    for g in gammas:
        row = []
        for mm in widths:
            pr = make_problem(n, p, mm, 1)
            run = simulate(pr, "nag", (20.0 if quick else 40.0) / math.sqrt(pr.lambda0), gamma=g, n_grid=60, h=0.02)
            q = quantities(run)
            row.append({"width": mm, "lmin_ratio": float(q["lmin"].min() / (pr.lambda0 / 2)),
                        "final_L": float(q["L"][-1]), "min_L": float(q["L"].min()), "dist": float(q["dist"].max())})
        sweep[g] = row
    return {"lambda0": lam0, "n": n, "p": p, "m": m, "curves": curves, "width_sweep": sweep,
            "rates": {"gd": fitted_rate(curves["gd"]["t"], curves["gd"]["L"]),
                      "hb": fitted_rate(curves["hb"]["t"], curves["hb"]["L"]),
                      "theory_gd": lam0, "theory_hb": math.sqrt(lam0 / 2)}}
