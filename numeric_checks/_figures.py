"""Figures for ``derivcheck report``: matplotlib (Agg, no pyplot state), one PNG per figure.

Each builder draws one figure from the data the check modules already compute (their audit
instances, cached when the audit ran in the same process; otherwise their quick modes), so
the figures show the same trajectories the verdicts rest on.  A builder that cannot run
(a check module without the data it needs, a failed simulation) yields a :class:`Figure`
with ``path=None`` and the reason in ``unavailable``; the report prints that line instead of
the figure and never crashes.

>>> figs = make_all("out/figures")                      # doctest: +SKIP
>>> [(f.derivation, f.path or f.unavailable) for f in figs]  # doctest: +SKIP
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

#: the PNG signature (the report's tests check every referenced file starts with it)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DPI = 90


@dataclass
class Figure:
    """One figure of the report: the derivation it belongs to, its file (relative to the
    directory given to :func:`make_all`) or the reason it is not available."""

    derivation: str
    key: str
    title: str
    caption: str = ""
    path: str | None = None
    unavailable: str = ""
    seconds: float = 0.0
    data: dict = field(default_factory=dict)


def _new_figure(ncols: int = 1, *, width: float = 5.2, height: float = 3.6):
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(width * ncols, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def _save(fig, out_dir: str, key: str) -> str:
    name = f"{key}.png"
    fig.savefig(os.path.join(out_dir, name), dpi=DPI, format="png")
    return name


# ----------------------------------------------------------------------------- seed 000


def _nag_balance(out_dir: str, quick: bool) -> list[Figure]:
    """alpha_h(t) - alpha_h(0) vs H0 t^2/2 (24); the summed version (25) with the corrected
    (K-1) H0 t^2/2; H(t) vs H0 (15), for the audit instance with the largest ratio (25)."""
    from . import h0, hamiltonian, imbalances
    from . import _checks_nag_balance as nb

    runs = nb._audit_runs()  # cached when the audit ran in this process
    worst = None
    for sc, conf in zip(nb.AUDIT_SCENARIOS, runs):
        tr = conf.fine
        r = nb.bound_ratio(tr)
        for b in np.flatnonzero(conf.both_ok):
            if np.all(np.isnan(r[b])):
                continue
            v = float(np.nanmax(r[b]))
            if worst is None or v > worst[0]:
                worst = (v, sc, tr, int(b))
    if worst is None:
        raise RuntimeError("no audit trajectory finished")
    ratio, sc, tr, b = worst
    t = tr.times
    alpha = imbalances(tr)[b]  # (T, K-1)
    H0 = float(h0(tr)[b])
    H = hamiltonian(tr)[b]
    K = alpha.shape[-1] + 1
    bound = H0 * t**2 / 2
    fig, (a1, a2, a3) = _new_figure(3, width=4.4)
    for h in range(K - 1):
        a1.plot(t, alpha[:, h] - alpha[0, h], label=f"alpha_{h + 1}(t) - alpha_{h + 1}(0)")
    a1.plot(t, bound, "k--", label="H0 t^2/2")
    a1.set(xlabel="t", title="(24): per-pair imbalance drift")
    a1.legend(fontsize=7)
    summed = np.sum(np.abs(alpha), axis=-1) - np.sum(np.abs(alpha[0]))
    a2.plot(t, summed, label="sum|alpha_h(t)| - sum|alpha_h(0)|")
    a2.plot(t, bound, "k--", label="H0 t^2/2 (25 as written)")
    a2.plot(t, (K - 1) * bound, "k:", label=f"(K-1) H0 t^2/2, K = {K} (corrected)")
    a2.set(xlabel="t", title="(25): summed imbalance")
    a2.legend(fontsize=7)
    a3.plot(t, H, label="H(t) = |W'|^2/2 + L - L*")
    a3.axhline(H0, color="k", ls="--", label="H0")
    a3.set(xlabel="t", title="(15): Hamiltonian decrease")
    a3.legend(fontsize=7)
    key = "nag_layer_balance_worst"
    path = _save(fig, out_dir, key)
    caption = (f"Nesterov flow (gamma = 3), {sc.activation} MLP depth {sc.depth} width {sc.width}, mode {sc.mode}, "
               f"seed {sc.seed}, instance {b}: the audit instance (of {sum(s.batch for s in nb.AUDIT_SCENARIOS)}) "
               f"with the largest ratio (sum|alpha(t)| - sum|alpha(0)|)/(H0 t^2/2) = {ratio:.3f} "
               f"(a violation of (25) needs > 1); rtol 1e-9 run. H0 = {H0:.3g}.")
    return [Figure("nag_layer_balance", key, "Imbalance drift and Hamiltonian, worst audit instance", caption, path,
                   data={"ratio": ratio, "H0": H0, "K": K})]


# ----------------------------------------------------------------------------- seed 001


def _ntk_module():
    import importlib

    return importlib.import_module("numeric_checks._checks_ntk")


def _ntk_loss_curves(out_dir: str, quick: bool) -> list[Figure]:
    mod = _ntk_module()
    if not hasattr(mod, "figure_data"):
        raise RuntimeError("numeric_checks._checks_ntk has no figure_data()")
    d = mod.figure_data(quick=quick)
    fig, (a1, a2) = _new_figure(2)
    names = {"gd": "gradient flow", "hb": "heavy ball (b = sqrt(2 lambda0))", "nag_gamma8": "Nesterov (gamma = 8)"}
    for k, c in d["curves"].items():
        L = np.asarray(c["L"])
        pos = L > 0
        a1.semilogy(np.asarray(c["t"])[pos], L[pos], label=names.get(k, k))
        tt = np.asarray(c["t"])[pos]
        a2.loglog(tt[tt > 0], L[pos][tt > 0], label=names.get(k, k))
    lam0 = d["lambda0"]
    a1.set(xlabel="t", ylabel="L(t)", title="loss, log scale (Figures 1-2)")
    a2.set(xlabel="t", ylabel="L(t)", title="loss, log-log")
    a1.legend(fontsize=7)
    a2.legend(fontsize=7)
    key = "ntk_loss_curves"
    path = _save(fig, out_dir, key)
    r = d["rates"]
    caption = (f"Two-layer ReLU NTK model, n = {d['n']}, p = {d['p']}, m = {d['m']}, lambda0 = {lam0:.3g}. "
               f"Fitted linear rates: gradient flow {r['gd']:.3g} (guarantee lambda0 = {r['theory_gd']:.3g}), "
               f"heavy ball {r['hb']:.3g} (guarantee sqrt(lambda0/2) = {r['theory_hb']:.3g}).")
    figs = [Figure("ntk_gradient_flow", key, "Loss curves: gradient flow, heavy ball, Nesterov", caption, path,
                   data={"rates": r})]
    sweep = d.get("width_sweep")
    if sweep:
        fig, (ax,) = _new_figure(1)
        for g, row in sweep.items():
            ax.semilogx([x["width"] for x in row], [x["lmin_ratio"] for x in row], "o-", label=f"gamma = {g:g}")
        ax.axhline(1.0, color="k", ls="--", label="lambda_min = lambda0/2")
        ax.set(xlabel="width m", ylabel="min_t lambda_min(H(t)) / (lambda0/2)", title="width sweep (Figure 3)")
        ax.legend(fontsize=7)
        key2 = "ntk_width_sweep"
        figs.append(Figure("ntk_gradient_flow", key2, "Width sweep: smallest NTK eigenvalue along Nesterov runs",
                           "Nesterov flow runs per width and gamma; the lazy-training argument needs the ratio >= 1.",
                           _save(fig, out_dir, key2)))
    return figs


def _ntk_hb_bounds(out_dir: str, quick: bool) -> list[Figure]:
    """Lemma 3.3's loss bound and the Lyapunov bound (3.10) on the heavy-ball audit runs."""
    mod = _ntk_module()
    if not hasattr(mod, "_hb_audit") or not hasattr(mod, "hb_bounds"):
        raise RuntimeError("numeric_checks._checks_ntk exposes no heavy-ball audit runs")
    runs, qs, bs = mod._hb_audit()
    j = int(np.argmax([b["loss_ratio"] for b in bs]))
    run, q, b = runs[j], qs[j], bs[j]
    t = run.ts
    alpha = b["alpha"]
    fig, (a1, a2) = _new_figure(2)
    a1.semilogy(t, q["L"], label="L(t)")
    a1.semilogy(t, 2 / alpha**2 * np.exp(-alpha * t) * q["Lhat"][0], "k--", label="(2/alpha^2) e^(-alpha t) Lhat(0)")
    a1.set(xlabel="t", title="Lemma 3.3: loss bound")
    a1.legend(fontsize=7)
    a2.semilogy(t, q["V"], label="V(t)")
    a2.semilogy(t, np.exp(-alpha * t) * q["V"][0], "k--", label="e^(-alpha t) V(0)")
    a2.set(xlabel="t", title="(3.10): Lyapunov bound")
    a2.legend(fontsize=7)
    key = "ntk_heavy_ball_bounds"
    caption = (f"Heavy-ball flow on the audit instance with the largest loss ratio (seed {run.prob.seed}, "
               f"m = {run.prob.m}, lambda0 = {b['lambda0']:.3g}): max L/bound = {b['loss_ratio']:.3g}, "
               f"max V e^(alpha t)/V(0) = {b['lyap_ratio']:.3g}; largest change of V e^(alpha t) between stored points "
               f"{b['lyap_increase']:.2g} V(0) (positive would mean an upward jump; the refuting instance of "
               f"(3.10 mono) is a separate, narrower network).")
    return [Figure("ntk_heavy_ball_lyapunov", key, "Heavy-ball bounds on the audit runs", caption,
                   _save(fig, out_dir, key), data={"loss_ratio": b["loss_ratio"]})]


def _ntk_nag_bounds(out_dir: str, quick: bool) -> list[Figure]:
    """Energy E(t) against L(0) (E.2) and t^4 L(t) (lambda0/2)^2 / L(0) (the constant of (4.7)) on the
    Nesterov audit runs."""
    mod = _ntk_module()
    if not hasattr(mod, "_nag_audit"):
        raise RuntimeError("numeric_checks._checks_ntk exposes no Nesterov audit runs")
    runs, qs, bs = mod._nag_audit()
    j = int(np.argmax([b["C_emp"] for b in bs]))
    run, q, b = runs[j], qs[j], bs[j]
    t = run.ts
    L0 = 0.5 * float(np.sum(run.prob.delta(run.prob.W0) ** 2))
    lam0 = b["lambda0"]
    fig, (a1, a2) = _new_figure(2)
    a1.plot(t, q["E"] / L0, label="E(t)/L(0), E = L + |W'|^2/2")
    a1.plot(t, q["L"] / L0, label="L(t)/L(0)")
    a1.axhline(1.0, color="k", ls="--", label="L(0)")
    a1.set(xlabel="t", title="(E.2): energy does not increase")
    a1.legend(fontsize=7)
    sel = t >= 1.0
    a2.semilogy(t[sel], t[sel] ** 4 * q["L"][sel] * (lam0 / 2) ** 2 / L0, label="t^4 L(t) (lambda0/2)^2 / L(0)")
    a2.axhline(b["C_emp"], color="k", ls=":", label=f"sup = {b['C_emp']:.3g} (empirical C)")
    a2.set(xlabel="t", title="(4.7): polynomial rate constant")
    a2.legend(fontsize=7)
    key = "ntk_nesterov_bounds"
    caption = (f"Nesterov flow gamma = {run.params.get('gamma', 8.0):g} on the audit instance with the largest "
               f"empirical constant (seed {run.prob.seed}, m = {run.prob.m}, lambda0 = {lam0:.3g}); the source leaves "
               f"C(4, gamma) unspecified, so the right panel shows what the constant must be on this run. "
               f"max E/L(0) = {b['energy_over_L0']:.8f}.")
    return [Figure("ntk_nesterov_lyapunov", key, "Nesterov energy and rate constant on the audit runs", caption,
                   _save(fig, out_dir, key), data={"C_emp": b["C_emp"]})]


# ----------------------------------------------------------------------------- seed 004


def _momentum_ooc(out_dir: str, quick: bool) -> list[Figure]:
    from . import _checks_momentum as mm

    pot, lam, a = "quadratic", 0.9, 0.9
    fig, (ax,) = _new_figure(1, width=6.0, height=4.2)
    rows = {}
    for key, ap in mm.APPROXIMATIONS.items():
        hs, errs = mm.ooc_errors(key, pot, lam, a)
        p = mm.fit_order(hs, errs)
        rows[key] = (hs, errs, p)
        line, = ax.loglog(hs, errs, "o-", label=f"{key}: fitted {p:.2f}, declared {ap.declared_order}")
        # a reference line of the declared order through the smallest-h point
        ref = errs[-1] * (hs / hs[-1]) ** ap.declared_order
        ax.loglog(hs, ref, ":", color=line.get_color(), lw=1)
    ax.set(xlabel="h", ylabel="sup_{nh<=T} |u_n - u(nh)|",
           title=f"order of convergence, {pot}, lambda = {lam}, a = {a}")
    ax.legend(fontsize=7)
    key = "momentum_ooc"
    caption = (f"Error of each continuous approximation against the scheme (2), h = s(1-lambda)^2 with s in "
               f"{mm.S_GRID}, T = 3(1-lambda); fitted slope (least squares) vs declared order; dotted lines have "
               f"the declared slope. The printed c of Theorem 3 gives slope {rows['modified_printed'][2]:.2f}; the "
               f"corrected c gives {rows['modified_corrected'][2]:.2f}.")
    return [Figure("momentum_modified_equations", key, "Order of convergence of the modified equations", caption,
                   _save(fig, out_dir, key), data={k: v[2] for k, v in rows.items()})]


#: the figure builders, in report order; each returns a list of Figures (or raises)
BUILDERS: tuple[tuple[str, str, Callable[[str, bool], list[Figure]]], ...] = (
    ("nag_layer_balance", "nag_layer_balance_worst", _nag_balance),
    ("ntk_gradient_flow", "ntk_loss_curves", _ntk_loss_curves),
    ("ntk_heavy_ball_lyapunov", "ntk_heavy_ball_bounds", _ntk_hb_bounds),
    ("ntk_nesterov_lyapunov", "ntk_nesterov_bounds", _ntk_nag_bounds),
    ("momentum_modified_equations", "momentum_ooc", _momentum_ooc),
)


def make_all(out_dir: str, *, quick: bool = True) -> list[Figure]:
    """Draw every figure into ``out_dir`` (created if needed); never raises for a failed figure."""
    os.makedirs(out_dir, exist_ok=True)
    figs: list[Figure] = []
    for derivation, key, build in BUILDERS:
        t0 = time.perf_counter()
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                got = build(out_dir, quick)
        except Exception as exc:  # noqa: BLE001 - a figure must never break the report
            got = [Figure(derivation, key, key, path=None,
                          unavailable=f"not available: {type(exc).__name__}: {exc}")]
        dt = time.perf_counter() - t0
        for f in got:
            f.seconds = dt / max(1, len(got))
        figs.extend(got)
    return figs


def is_png(path: str) -> bool:
    with open(path, "rb") as fh:
        return fh.read(8) == PNG_SIGNATURE and os.path.getsize(path) > 100
