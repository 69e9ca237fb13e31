"""Benchmark of the trajectory engine (numeric_checks).  Run by hand:

    python benchmarks/trajectories.py            # full run
    python benchmarks/trajectories.py --quick    # under 2 minutes

1. Many small networks: Nesterov flow (gamma = 3, series start t0 = 1e-3), depth 4, width 8,
   ReLU, d = 3, n = 5, realizable targets, t in [t0, 5], 64 instances, rtol 1e-8.  Baseline:
   one ``scipy.integrate.solve_ivp(DOP853)`` call per instance with a plain NumPy right-hand
   side written here (independent of the engine's model code).  Both are compared with a
   tight reference (the engine at rtol 1e-12, itself checked against solve_ivp at 1e-12 on
   a few instances); the engine's rtol is chosen so that its max relative error is <= the
   baseline's (matched accuracy): the loosest of a grid of rtols from 1e-6 down that
   achieves it; the wall-time ratio of that run is reported.
2. One wide network: two-layer NTK model, m = 4096, n = 20, d = 10, heavy-ball flow.  The
   right-hand side's FLOP rate (nominal FLOPs 4mnd + 2mn: forward GEMM, backward GEMM,
   output gemv) as a fraction of NumPy's matmul rate on the same GEMM shapes, measured in
   the same run; and the peak memory (tracemalloc) of an integration.

BLAS runs single-threaded (set below, before NumPy loads): on the shared 2-core machine a
multi-threaded OpenBLAS waiting for busy cores made a 4096x10x20 matmul 10-50x slower and
the timings meaningless.  The matmul reference is measured under the same setting.

The last printed line is one JSON object with the headline numbers.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time
import tracemalloc
from pathlib import Path

import numpy as np  # noqa: E402
import scipy.integrate  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numeric_checks as nc  # noqa: E402

GAMMA, T0, T_END, RTOL = 3.0, 1e-3, 5.0, 1e-8
ATOL_PER_RTOL = 1e-2  # atol = rtol / 100 for the engine and the baseline alike


def small_model(batch=64, seed=0):
    return nc.mlp(depth=4, width=8, input_dim=3, n_samples=5, batch=batch, seed=seed,
                  activation="relu", realizable=True)


def plain_rhs(x, y, widths):
    """Nesterov right-hand side of one ReLU network, plain NumPy (the baseline's own code)."""
    shapes = [(widths[h + 1], widths[h]) for h in range(len(widths) - 1)]
    sizes = [a * b for a, b in shapes]
    p = sum(sizes)

    def grad(w_flat):
        ws, off = [], 0
        for (a, b), s in zip(shapes, sizes):
            ws.append(w_flat[off:off + s].reshape(a, b))
            off += s
        acts, zs = [x], []
        for w in ws[:-1]:
            z = acts[-1] @ w.T
            zs.append(z)
            acts.append(np.maximum(z, 0.0))
        g = acts[-1] @ ws[-1].T - y
        grads = [None] * len(ws)
        for h in reversed(range(len(ws))):
            grads[h] = g.T @ acts[h]
            if h > 0:
                g = (g @ ws[h]) * (zs[h - 1] > 0)
        return np.concatenate([gr.ravel() for gr in grads])

    def rhs(t, state):
        v = state[p:]
        return np.concatenate([v, -(GAMMA / t) * v - grad(state[:p])])
    return rhs


def baseline(model, t_eval, rtol, rows):
    """solve_ivp(DOP853) per instance; returns positions (len(rows), T, P), time, evaluations."""
    p = model.n_params
    y0 = nc.nesterov(GAMMA, t0=T0).initial_state(model, model.params0)
    out, nfev = [], 0
    start = time.perf_counter()
    for i in rows:
        rhs = plain_rhs(model.x[i], model.y[i], model.widths)
        sol = scipy.integrate.solve_ivp(rhs, (T0, T_END), y0[i], method="DOP853", rtol=rtol,
                                        atol=ATOL_PER_RTOL * rtol, t_eval=t_eval)
        assert sol.success, sol.message
        out.append(sol.y[:p].T)
        nfev += sol.nfev
    return np.array(out), time.perf_counter() - start, nfev


def engine(model, t_eval, rtol):
    start = time.perf_counter()
    traj = nc.simulate(model, nc.nesterov(GAMMA, t0=T0), t_end=T_END, t_eval=t_eval, rtol=rtol,
                       atol=ATOL_PER_RTOL * rtol)
    return traj, time.perf_counter() - start


def max_rel_error(states, reference):
    """max over instances and sample times of |W - W_ref|_2 / |W_ref|_2."""
    return float(np.max(np.linalg.norm(states - reference, axis=-1)
                        / np.linalg.norm(reference, axis=-1)))


def small_networks(quick: bool) -> dict:
    model = small_model()
    t_eval = np.linspace(T0, T_END, 51)
    reference, t_ref = engine(model, t_eval, 1e-12)
    assert np.all(reference.ok), reference.summary()
    hardest = int(np.argmax(reference.n_kinks))  # most kinks: the strictest check
    check_rows = sorted({0, hardest} if quick else {0, 1, 2, hardest})
    scipy_tight, _, _ = baseline(model, t_eval, 1e-12, check_rows)
    ref_check = max_rel_error(scipy_tight, reference.states[check_rows])
    print(f"[small] reference: engine rtol=1e-12 in {t_ref:.1f} s, kinks per instance mean "
          f"{reference.n_kinks.mean():.1f} max {reference.n_kinks.max()}; vs solve_ivp "
          f"rtol=1e-12 on instances {check_rows}: max rel diff {ref_check:.2e}")

    rows = list(range(model.batch))  # all: per-instance costs vary 20x, no extrapolation
    base_states, t_base, base_nfev = baseline(model, t_eval, RTOL, rows)
    base_err = max_rel_error(base_states, reference.states[rows])
    t_base_all = t_base * model.batch / len(rows)
    print(f"[small] baseline: solve_ivp DOP853 per instance, rtol={RTOL:g}: {len(rows)} instances "
          f"in {t_base:.2f} s (-> {t_base_all:.2f} s for {model.batch}), {base_nfev} rhs "
          f"evaluations, max rel error {base_err:.2e}")

    # loosest engine tolerance whose error is <= the baseline's (matched accuracy)
    for rtol in (1e-6, 3e-7, 1e-7, 3e-8, 1e-8, 3e-9, 1e-9, 3e-10, 1e-10):
        traj, t_eng = engine(model, t_eval, rtol)
        err = max_rel_error(traj.states, reference.states)
        err_rows = max_rel_error(traj.states[rows], reference.states[rows])
        print(f"[small] engine rtol={rtol:g}: {t_eng:.2f} s, rhs evaluations per instance mean "
              f"{traj.nfev.mean():.0f} max {traj.nfev.max()}, kinks mean {traj.n_kinks.mean():.1f}, "
              f"max rel error {err:.2e} (on the baseline's instances {err_rows:.2e})")
        if err <= base_err:
            break
    else:
        print("[small] WARNING: no engine rtol tried matched the baseline's accuracy")
    return {"small_speedup_vs_naive": t_base_all / t_eng, "small_max_rel_error": err,
            "small_baseline_max_rel_error": base_err, "small_engine_rtol": rtol,
            "small_engine_seconds": t_eng, "small_baseline_seconds": t_base_all,
            "small_baseline_instances_timed": len(rows),
            "small_engine_rhs_evaluations": int(traj.nfev.sum()),
            "small_baseline_rhs_evaluations": int(base_nfev * model.batch / len(rows))}


def best_time(fn, repeats, inner):
    fn()
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - start) / inner)
    return best


def wide_network(quick: bool) -> dict:
    m, n, d = 4096, 20, 10
    model = nc.ntk_two_layer(width=m, input_dim=d, n_samples=n, batch=1, seed=0)
    dyn = nc.heavy_ball(2.0)
    p = model.n_params
    y = np.concatenate([model.params0, 0.1 * model.params0], axis=1)
    t = np.zeros(1)
    repeats, inner = (7, 50) if quick else (15, 100)

    def rhs():
        return dyn.derivative(t, y, model.grad(y[:, :p]))
    w = model.params0.reshape(m, d)
    x = model.x[0]
    mask = (w @ x.T > 0).astype(float)

    def gemms():
        return w @ x.T, mask @ x
    flops = 4 * m * n * d + 2 * m * n
    # interleaved, so both see the same load on the shared machine; median of the ratios
    ratios, t_rhs_all, t_gemm_all = [], [], []
    for _ in range(repeats):
        t_rhs_all.append(best_time(rhs, 1, inner))
        t_gemm_all.append(best_time(gemms, 1, inner))
        ratios.append(t_gemm_all[-1] / t_rhs_all[-1] * flops / (4 * m * n * d))
    t_rhs, t_gemm = min(t_rhs_all), min(t_gemm_all)
    gemm_rate = 4 * m * n * d / t_gemm
    sq = np.random.default_rng(0).standard_normal((1024, 1024))
    square_rate = 2 * 1024 ** 3 / best_time(lambda: sq @ sq, 3, 3 if quick else 10)
    rhs_rate = flops / t_rhs
    fraction = float(np.median(ratios))
    print(f"[wide] rhs (grad + heavy-ball assembly): {t_rhs * 1e6:.0f} us, {rhs_rate / 1e9:.2f} "
          f"GFLOP/s; numpy matmul on the same shapes {gemm_rate / 1e9:.2f} GFLOP/s (fraction, "
          f"median of {repeats} interleaved ratios, {fraction:.2f}; range {min(ratios):.2f}-"
          f"{max(ratios):.2f}); square 1024 matmul {square_rate / 1e9:.1f} GFLOP/s (fraction "
          f"{rhs_rate / square_rate:.3f})")

    t_end = 0.5 if quick else 2.0
    tracemalloc.start()
    start = time.perf_counter()
    traj = nc.simulate(model, dyn, t_end=t_end, t_eval=np.linspace(0, t_end, 11), rtol=1e-6,
                       locate_kinks=False)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    print(f"[wide] heavy-ball flow to t={t_end}, rtol=1e-6, kinks not located: {elapsed:.1f} s, "
          f"{traj.nfev[0]} rhs evaluations ({elapsed / traj.nfev[0] * 1e6:.0f} us each, all "
          f"included), status {traj.status[0]}, peak traced memory {peak:.1f} MiB "
          f"(state {p * 2 * 8 / 2 ** 20:.2f} MiB)")
    return {"wide_gemm_fraction": fraction, "wide_peak_mib": peak,
            "wide_rhs_gflops": rhs_rate / 1e9, "wide_gemm_gflops": gemm_rate / 1e9,
            "wide_square_gemm_gflops": square_rate / 1e9}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller run, under 2 minutes")
    args = parser.parse_args(argv)
    np.seterr(over="raise", invalid="raise", divide="raise")
    results = small_networks(args.quick)
    results.update(wide_network(args.quick))
    print("details:", json.dumps(results))
    print(json.dumps({k: results[k] for k in ("small_speedup_vs_naive", "small_max_rel_error",
                                              "wide_gemm_fraction", "wide_peak_mib")}))


if __name__ == "__main__":
    main()
