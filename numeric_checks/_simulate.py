"""``simulate``: run a batched model under a dynamics; ``confirm``: the 10x-tighter re-run.

Continuous flows start at time 0 (Nesterov's flow is integrated from its t0 with the series
start) and are sampled at the requested times ``t_eval``; discrete methods are sampled at
every iteration k = 0..steps.  Every instance gets a status:

* ``ok``: reached the end; every sample meets the tolerance of its own error control;
* ``diverged``: max |state component| exceeded ``divergence_threshold`` at ``stop_time``;
* ``nonfinite``: the state or its right-hand side became NaN/inf at ``stop_time``;
* ``step_limit``: the step size underflowed or ``max_steps`` was used up at ``stop_time``;
* ``sliding``: a relu pre-activation stays at zero (a sliding mode of gradient flow, see
  ``_integrate``) from ``stop_time``: the trajectory beyond is not computed.

Samples after ``stop_time`` are NaN, so nothing computed from a stopped instance can pass
for a finished one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._dynamics import _Discrete, _Flow
from ._errors import InvalidParameter
from ._integrate import _TABLEAUS, METHODS, STATUSES, _Run


@dataclass(frozen=True)
class Trajectory:
    """Sampled solution for a batch of B instances at T sample times.

    ``state`` has shape (B, T, order, P): W and its derivatives up to the flow's order - 1
    (order 1 for discrete methods).  ``auxiliary`` (B, T, P) is the second sequence of a
    two-sequence discrete method (see its docstring), else None.  Counters are per instance.
    """

    model: object
    dynamics: object
    times: np.ndarray
    state: np.ndarray
    status: np.ndarray
    stop_time: np.ndarray
    nfev: np.ndarray
    n_accepted: np.ndarray
    n_rejected: np.ndarray
    n_kinks: np.ndarray
    rtol: float
    atol: float
    method: str
    auxiliary: np.ndarray | None = None

    @property
    def states(self) -> np.ndarray:
        """W at the sample times, (B, T, P)."""
        return self.state[:, :, 0]

    @property
    def velocities(self) -> np.ndarray | None:
        """W' at the sample times, (B, T, P); for gradient flow -grad L(W); None if discrete."""
        if isinstance(self.dynamics, _Discrete):
            return None
        if self.state.shape[2] >= 2:
            return self.state[:, :, 1]
        return -self.model.grad(self.states)

    @property
    def ok(self) -> np.ndarray:
        """Per instance: finished with status ``ok``."""
        return self.status == "ok"

    @property
    def continuous(self) -> bool:
        return not isinstance(self.dynamics, _Discrete)

    def summary(self) -> str:
        """One line: statuses, evaluations and steps (mean and max over instances)."""
        counts = ", ".join(f"{s}={int(np.sum(self.status == s))}" for s in STATUSES
                           if np.any(self.status == s))
        return (f"{self.model!r} under {self.dynamics!r}: {counts}; rhs evaluations mean "
                f"{self.nfev.mean():.0f} max {self.nfev.max()}; rejected steps mean "
                f"{self.n_rejected.mean():.1f}; kinks mean {self.n_kinks.mean():.1f} "
                f"(method {self.method}, rtol={self.rtol:g}, atol={self.atol:g})")


def _check_tolerances(rtol, atol):
    if not (isinstance(rtol, (float, int)) and 0 < rtol < 1):
        raise InvalidParameter("rtol", rtol, "must be in (0, 1)", fix="e.g. rtol=1e-8")
    if rtol < 100 * np.finfo(float).eps:
        raise InvalidParameter("rtol", rtol, f"must be >= {100 * np.finfo(float).eps:.2g}",
                               fix="float64 cannot honour a tighter relative tolerance")
    if atol is None:
        return float(rtol), 1e-2 * float(rtol)
    if not (isinstance(atol, (float, int)) and atol > 0 and np.isfinite(atol)):
        raise InvalidParameter("atol", atol, "must be a finite number > 0")
    return float(rtol), float(atol)


def simulate(model, dynamics, *, t_end: float | None = None, t_eval=None, steps: int | None = None,
             rtol: float = 1e-8, atol: float | None = None, method: str = "DOP853",
             locate_kinks: bool = True, max_steps: int = 200_000,
             divergence_threshold: float = 1e8) -> Trajectory:
    """Integrate every instance of ``model`` under ``dynamics``; returns a :class:`Trajectory`.

    Continuous flows need ``t_end`` (> the flow's start time) and take samples at
    ``t_eval`` (sorted, within [0, t_end]; default 101 evenly spaced times).  Each instance
    runs its own adaptive step size with error norm RMS(err / (atol + rtol |y|)) <= 1 over
    its own components (default atol = rtol / 100).  ``method``: "DOP853" or "RK45".
    ``locate_kinks``: step exactly to sign changes of relu pre-activations (module
    ``_integrate``).  Discrete methods need ``steps`` and ignore the tolerances.
    """
    if isinstance(dynamics, _Discrete):
        if steps is None or isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) \
                or steps < 1:
            raise InvalidParameter("steps", steps, "must be an integer >= 1 for a discrete method")
        return _iterate(model, dynamics, int(steps), divergence_threshold)
    if not isinstance(dynamics, _Flow):
        raise InvalidParameter("dynamics", dynamics, "must come from gradient_flow(), "
                               "heavy_ball(), nesterov(), higher_order() or a discrete method")
    rtol, atol = _check_tolerances(rtol, atol)
    if method not in METHODS:
        raise InvalidParameter("method", method, f"must be one of {METHODS}")
    if t_end is None or not np.isfinite(t_end) or t_end <= dynamics.t_start:
        raise InvalidParameter("t_end", t_end, f"must be a finite time > {dynamics.t_start}",
                               fix="the flow starts at time 0 (Nesterov's at its t0)")
    t_eval = np.linspace(0.0, t_end, 101) if t_eval is None else np.asarray(t_eval, dtype=float)
    if t_eval.ndim != 1 or t_eval.size == 0 or np.any(np.diff(t_eval) < 0) \
            or t_eval[0] < 0 or t_eval[-1] > t_end:
        raise InvalidParameter("t_eval", t_eval, f"must be a sorted 1-d array within [0, {t_end}]")
    if not divergence_threshold > 0:
        raise InvalidParameter("divergence_threshold", divergence_threshold, "must be > 0")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        run = _Run(model, dynamics, float(t_end), t_eval, rtol, atol, _TABLEAUS[method],
                   locate_kinks, max_steps, divergence_threshold)
        while np.any(run.running):
            run.advance()
    order = dynamics.order
    state = run.samples.reshape(model.batch, len(t_eval), order, model.n_params)
    return Trajectory(model=model, dynamics=dynamics, times=t_eval, state=state,
                      status=np.array(STATUSES)[run.status], stop_time=run.stop_time,
                      nfev=run.nfev, n_accepted=run.n_accepted, n_rejected=run.n_rejected,
                      n_kinks=run.n_kinks, rtol=rtol, atol=atol, method=method)


def _iterate(model, method, steps, threshold) -> Trajectory:
    """Run a discrete method for ``steps`` iterations on every instance."""
    batch, p = model.batch, model.n_params
    states = np.full((batch, steps + 1, 1, p), np.nan)
    aux = np.full((batch, steps + 1, p), np.nan)
    status = np.zeros(batch, dtype=int)
    stop = np.full(batch, float(steps))
    rows = np.arange(batch)
    state = method.start(model.params0)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(steps + 1):
            main, second = method.record(state)
            states[rows, k, 0] = main
            if second is not None:
                aux[rows, k] = second
            finite = np.all(np.isfinite(np.concatenate(state, axis=1)), axis=1)
            big = finite & (np.max(np.abs(np.concatenate(state, axis=1)), axis=1) > threshold)
            bad = ~finite | big
            if np.any(bad):
                status[rows[~finite]] = 2
                status[rows[big]] = 1
                stop[rows[bad]] = k
                states[rows[~finite], k] = np.nan
                keep = ~bad
                rows = rows[keep]
                state = tuple(s[keep] for s in state)
            if k == steps or rows.size == 0:
                break
            sub = model if rows.size == batch else model.take(rows)
            state = method.step(k, state, sub.grad)
    has_aux = not np.all(np.isnan(aux))
    return Trajectory(model=model, dynamics=method, times=np.arange(steps + 1, dtype=float),
                      state=states, status=np.array(STATUSES)[status], stop_time=stop,
                      nfev=np.where(status == 0, steps, stop).astype(int),
                      n_accepted=np.zeros(batch, dtype=int), n_rejected=np.zeros(batch, dtype=int),
                      n_kinks=np.zeros(batch, dtype=int), rtol=0.0, atol=0.0, method="iteration",
                      auxiliary=aux if has_aux else None)


@dataclass(frozen=True)
class Confirmation:
    """A run and its re-run at 10x tighter tolerances.

    ``state_difference`` per instance: max over samples and components of
    |state_fine - state_coarse| (inf unless both runs are ``ok``).  A violation found on
    ``coarse`` is confirmed only if it persists on ``fine`` with a margin larger than the
    difference of the quantity between the two (``quantity_difference``).
    """

    coarse: Trajectory
    fine: Trajectory

    @property
    def both_ok(self) -> np.ndarray:
        return self.coarse.ok & self.fine.ok

    @property
    def state_difference(self) -> np.ndarray:
        diff = np.abs(self.fine.state - self.coarse.state)
        return np.where(self.both_ok, np.max(diff.reshape(diff.shape[0], -1), axis=1), np.inf)

    def quantity_difference(self, quantity) -> np.ndarray:
        """max over sample times of |q(fine) - q(coarse)| per instance, for q(traj) -> (B, T)."""
        diff = np.abs(quantity(self.fine) - quantity(self.coarse))
        return np.where(self.both_ok, np.max(diff.reshape(diff.shape[0], -1), axis=1), np.inf)


def confirm(model, dynamics, *, t_end: float, rtol: float = 1e-8, atol: float | None = None,
            **options) -> Confirmation:
    """Simulate at (rtol, atol) and again at (rtol/10, atol/10); see :class:`Confirmation`."""
    rtol, atol = _check_tolerances(rtol, atol)
    coarse = simulate(model, dynamics, t_end=t_end, rtol=rtol, atol=atol, **options)
    fine = simulate(model, dynamics, t_end=t_end, rtol=rtol / 10, atol=atol / 10, **options)
    return Confirmation(coarse, fine)
