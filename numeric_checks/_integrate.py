"""Batched adaptive Runge-Kutta integration with per-instance accuracy.

Every instance of a batch carries its own time, step size, error norm and accept/reject
decision; all running instances advance in lock-step through one batched right-hand-side
call per stage, and an instance that reaches ``t_end`` (or diverges) leaves the active set.
The error norm of an instance is the scaled RMS over *its own* components only, so no
instance's error is averaged away by another's, and no easy instance takes the small steps
of a hard one.

Tableaus are scipy's (``scipy.integrate.DOP853``, ``scipy.integrate.RK45``) with scipy's
error norms, step-size controller and dense output, vectorised over instances.

Kinks.  For relu / leaky-relu models grad L jumps where a pre-activation crosses zero, so
the right-hand side is discontinuous there: a Runge-Kutta step across the jump has local
error O(h * jump) whatever its order, and the embedded error estimate, derived for smooth
right-hand sides, is not a reliable bound there.  With ``locate_kinks`` each step is taken
with the activation pattern *frozen* at the step's start (a smooth polynomial vector field);
if the true pattern changes inside the step (checked at every stage and at the end point),
the first crossing is located by bisection on the step's dense output, the step is redone
to end exactly there, and the pattern is switched.  Every accepted step therefore integrates
one smooth piece and its error estimate is valid.  Limitation: a unit that crosses and
re-crosses zero between two checked points of one step goes unnoticed.

Sliding modes.  Under gradient flow W' jumps at a kink, and the flows on both sides can
push a pre-activation back to zero (a Filippov sliding mode): located kinks then chatter
with ever shorter steps (Zeno), and without location the error control chatters just as
badly (measured: minutes for one small network).  After ``_SLIDING_STREAK`` consecutive cut
flips of the same units, each within ``_SLIDING_GAP`` of the time span after the previous
one, an instance is stopped with status ``sliding``: its samples up to then are valid,
and the sliding solution is not claimed.  Momentum flows keep W' continuous but can chatter
too: a unit oscillating about zero with shrinking amplitude crosses it infinitely often in
finite time (Zeno, like a bouncing ball); it is reported the same way.
"""

from __future__ import annotations

import numpy as np
import scipy.integrate

from ._errors import InvalidParameter

SAFETY, MIN_FACTOR, MAX_FACTOR = 0.9, 0.2, 10.0  # scipy's controller constants
_SCAN_POINTS = 8       # dense-output points scanned for the first kink in a step
_BISECTIONS = 48       # bisection steps locating a kink (relative precision 2^-51 of h)
_SLIDING_STREAK = 10   # quick flip-backs of the same units taken as a sliding mode (Zeno)
_SLIDING_GAP = 1e-6    # "quick": within this fraction of the time span of the previous flip


class _Tableau:
    """An explicit embedded Runge-Kutta pair applied to a batch with per-instance step sizes."""

    def __init__(self, cls):
        self.name = cls.__name__
        self.a, self.b, self.c = cls.A, cls.B, cls.C
        self.n_stages = cls.n_stages
        self.error_exponent = -1.0 / (cls.error_estimator_order + 1)
        self.error_estimator_order = cls.error_estimator_order

    def step(self, rhs, t, y, f, h):
        """One step of size h (per instance) from (t, y) with f = rhs(t, y).

        Returns the new state, the stage derivatives K (n_stages + 1, b, S) (the last one
        is rhs at the new state) and per instance whether ``rhs`` reported a pattern
        mismatch at any stage or at the end point.
        """
        b, s_dim = y.shape
        k = np.empty((self.n_stages + 1, b, s_dim))
        k[0] = f
        mismatch = np.zeros(b, dtype=bool)
        hc = h[:, None]
        for s in range(1, self.n_stages):
            dy = (self.a[s, :s] @ k[:s].reshape(s, -1)).reshape(b, s_dim)
            k[s], mm = rhs(t + self.c[s] * h, y + hc * dy)
            mismatch |= mm
        y_new = y + hc * (self.b @ k[:-1].reshape(self.n_stages, -1)).reshape(b, s_dim)
        k[-1], mm = rhs(t + h, y_new)
        return y_new, k, mismatch | mm

    def _combine(self, weights, k):
        return (weights @ k.reshape(k.shape[0], -1)).reshape(k.shape[1:])


class _RK45(_Tableau):
    """Dormand-Prince 5(4): 6 stages + FSAL, quartic dense output from the stages."""

    def __init__(self):
        super().__init__(scipy.integrate.RK45)
        self.e, self.p = scipy.integrate.RK45.E, scipy.integrate.RK45.P

    def error_norm(self, k, h, scale):
        err = self._combine(self.e, k) * h[:, None] / scale
        return np.sqrt(np.mean(err * err, axis=1))

    def dense(self, rhs, t, y, y_new, k, h):
        q = (self.p.T @ k.reshape(k.shape[0], -1)).reshape((self.p.shape[1],) + y.shape)
        hc = h[:, None]

        def at(theta):
            th = theta[:, None]
            acc = np.zeros_like(y)
            for j in reversed(range(q.shape[0])):
                acc = (acc + q[j]) * th
            return y + hc * acc
        return at, 0


class _DOP853(_Tableau):
    """Dormand-Prince 8(5,3): 12 stages + FSAL; degree-7 dense output needs 3 more stages."""

    def __init__(self):
        cls = scipy.integrate.DOP853
        super().__init__(cls)
        self.e3, self.e5, self.d = cls.E3, cls.E5, cls.D
        self.a_extra, self.c_extra = cls.A_EXTRA, cls.C_EXTRA

    def error_norm(self, k, h, scale):
        err5 = self._combine(self.e5, k) / scale
        err3 = self._combine(self.e3, k) / scale
        n5 = np.sum(err5 * err5, axis=1)
        n3 = np.sum(err3 * err3, axis=1)
        denom = n5 + 0.01 * n3
        safe = np.where(denom > 0, denom, 1.0)
        return np.where(denom > 0, np.abs(h) * n5 / np.sqrt(safe * scale.shape[1]), 0.0)

    def dense(self, rhs, t, y, y_new, k, h):
        b, s_dim = y.shape
        n = self.n_stages + 1
        kx = np.empty((n + len(self.c_extra), b, s_dim))
        kx[:n] = k
        hc = h[:, None]
        for s, (a, c) in enumerate(zip(self.a_extra, self.c_extra), start=n):
            dy = (a[:s] @ kx[:s].reshape(s, -1)).reshape(b, s_dim)
            kx[s] = rhs(t + c * h, y + hc * dy)[0]
        delta = y_new - y
        coef = [delta, hc * k[0] - delta, 2 * delta - hc * (k[-1] + k[0])]
        coef += list(hc * (self.d @ kx.reshape(kx.shape[0], -1)).reshape((self.d.shape[0], b, s_dim)))

        def at(theta):
            th = theta[:, None]
            acc = np.zeros_like(y)
            for i, cf in enumerate(reversed(coef)):
                acc = (acc + cf) * (th if i % 2 == 0 else 1 - th)
            return y + acc
        return at, len(self.c_extra)


_TABLEAUS = {"DOP853": _DOP853(), "RK45": _RK45()}
METHODS = tuple(_TABLEAUS)
STATUSES = ("ok", "diverged", "nonfinite", "step_limit", "sliding")


def _frozen_rhs(model, dynamics, frozen):
    """Right-hand side (t, y) -> (y', pattern mismatch) with the activation pattern frozen."""
    p = model.n_params

    def rhs(t, y):
        g, mismatch = model._grad_frozen(y[:, :p], frozen)
        return dynamics.derivative(t, y, g), mismatch
    return rhs


def _rms(x):
    return np.sqrt(np.mean(x * x, axis=1))


def _initial_step(tab, rhs, t, y, f, t_end, rtol, atol):
    """scipy's initial step-size heuristic, per instance; returns (h, evaluations used)."""
    scale = atol + np.abs(y) * rtol
    d0, d1 = _rms(y / scale), _rms(f / scale)
    small = (d0 < 1e-5) | (d1 < 1e-5)
    h0 = np.where(small, 1e-6, 0.01 * d0 / np.where(small, 1.0, d1))
    h0 = np.minimum(h0, t_end - t)
    f1 = rhs(t + h0, y + h0[:, None] * f)[0]
    d2 = _rms((f1 - f) / scale) / h0
    dmax = np.maximum(d1, d2)
    tiny = dmax <= 1e-15
    h1 = np.where(tiny, np.maximum(1e-6, h0 * 1e-3),
                  (0.01 / np.where(tiny, 1.0, dmax)) ** (1.0 / (tab.error_estimator_order + 1)))
    return np.minimum(np.minimum(100 * h0, h1), t_end - t)


class _Run:
    """State of one batched integration (arrays over the full batch)."""

    def __init__(self, model, dynamics, t_end, t_eval, rtol, atol, tab, locate_kinks,
                 max_steps, threshold):
        self.model, self.dynamics, self.tab = model, dynamics, tab
        self.t_end, self.t_eval, self.rtol, self.atol = t_end, t_eval, rtol, atol
        self.max_steps, self.threshold = max_steps, threshold
        batch, p = model.batch, model.n_params
        self.p = p
        t_start = dynamics.t_start
        self.y = dynamics.initial_state(model, model.params0)
        self.t = np.full(batch, t_start)
        self.samples = np.full((batch, len(t_eval), self.y.shape[1]), np.nan)
        before = t_eval < t_start
        if np.any(before):
            pos, vel = dynamics.state_before_start(model, model.params0, t_eval[before])
            self.samples[:, before, :p] = pos
            self.samples[:, before, p:2 * p] = vel
        at_start = t_eval == t_start
        self.samples[:, at_start] = self.y[:, None, :]
        self.next_sample = np.full(batch, int(np.sum(t_eval <= t_start)))
        use_kinks = locate_kinks and model.n_switching_units > 0
        self.frozen = model.pattern(self.y[:, :p]) if use_kinks else None
        self.running = np.ones(batch, dtype=bool)
        self.status = np.zeros(batch, dtype=int)
        self.stop_time = np.full(batch, np.nan)
        self.nfev = np.zeros(batch, dtype=int)
        self.n_accepted = np.zeros(batch, dtype=int)
        self.n_rejected = np.zeros(batch, dtype=int)
        self.n_kinks = np.zeros(batch, dtype=int)
        self.rejected_last = np.zeros(batch, dtype=bool)
        self.kink_streak = np.zeros(batch, dtype=int)
        self.sliding = np.zeros(batch, dtype=bool)
        self.last_kink_time = np.full(batch, -np.inf)
        self.last_flips = None if self.frozen is None else np.zeros_like(self.frozen)
        rhs = _frozen_rhs(model, dynamics, self.frozen)
        self.f = rhs(self.t, self.y)[0]
        self.h = _initial_step(tab, rhs, self.t, self.y, self.f, t_end, rtol, atol)
        self.nfev += 2
        self._check_divergence(np.arange(batch), self.y)

    def _frozen_of(self, rows):
        return None if self.frozen is None else self.frozen[rows]

    def _stop(self, rows, code, time):
        self.running[rows] = False
        self.status[rows] = code
        self.stop_time[rows] = time

    def _check_divergence(self, rows, y_new):
        big = np.max(np.abs(y_new), axis=1) > self.threshold
        if np.any(big):
            self._stop(rows[big], 1, self.t[rows[big]])

    def _fill_samples(self, rows, t_old, h, at):
        """Store dense-output states ``at(theta)`` at every requested time in (t_old, t_old + h]."""
        t_eval, n = self.t_eval, len(self.t_eval)
        while True:
            nxt = self.next_sample[rows]
            due = nxt < n
            due[due] = t_eval[nxt[due]] <= t_old[due] + h[due]
            if not np.any(due):
                return
            theta = np.zeros(rows.size)
            theta[due] = np.clip((t_eval[nxt[due]] - t_old[due]) / h[due], 0.0, 1.0)
            self.samples[rows[due], nxt[due]] = at(theta)[due]
            self.next_sample[rows[due]] += 1

    def advance(self):
        """One lock-step attempt for every running instance."""
        act = np.flatnonzero(self.running)
        model = self.model if act.size == self.model.batch else self.model.take(act)
        t, y, f = self.t[act], self.y[act], self.f[act]
        to_end = self.t_end - t
        last = self.h[act] >= to_end
        h = np.where(last, to_end, self.h[act])
        frozen = self._frozen_of(act)
        rhs = _frozen_rhs(model, self.dynamics, frozen)
        y_new, k, mismatch = self.tab.step(rhs, t, y, f, h)
        self.nfev[act] += self.tab.n_stages
        scale = self.atol + self.rtol * np.maximum(np.abs(y), np.abs(y_new))
        err = self.tab.error_norm(k, h, scale)
        finite = np.isfinite(err) & np.all(np.isfinite(y_new), axis=1)
        accept = finite & (err <= 1.0)
        t_new = np.where(last, self.t_end, t + h)
        f_new = k[-1].copy()  # may switch pattern below; k stays the step's own
        kinked = accept & mismatch if frozen is not None else np.zeros_like(accept)
        if np.any(kinked):
            self._resolve_kinks(np.flatnonzero(kinked), act, model, frozen, t, y, f, h, k,
                                y_new, f_new, t_new, err, accept)
        self._control(act, accept, finite, err, h)
        ok = np.flatnonzero(accept)
        if ok.size:
            self._record(act[ok], None if frozen is None else frozen[ok], t[ok], y[ok],
                         y_new[ok], k[:, ok], h[ok], t_new[ok], f_new[ok])
        self._limit_steps(act, accept, finite, h, t)

    def _resolve_kinks(self, kk, act, model, frozen, t, y, f, h, k, y_new, f_new, t_new,
                       err, accept):
        """Cut the steps of instances ``kk`` (local to ``act``) at their first pattern change.

        Updates the step arrays in place: a cut step ends at the located kink and switches
        that instance's pattern; an unresolvable or failed cut becomes a rejection.
        """
        p = self.p
        sub, fr = model.take(kk), frozen[kk]
        at, extra = self.tab.dense(_frozen_rhs(sub, self.dynamics, fr),
                                   t[kk], y[kk], y_new[kk], k[:, kk], h[kk])
        self.nfev[act[kk]] += extra

        def differs(theta):
            return np.any(sub.pattern(at(theta)[:, :p]) != fr, axis=1)
        lo, hi = np.zeros(kk.size), np.full(kk.size, np.inf)
        for j in range(1, _SCAN_POINTS + 1):
            theta = np.full(kk.size, j / _SCAN_POINTS)
            fresh = np.isinf(hi)
            d = differs(theta)
            hi[fresh & d] = theta[fresh & d]
            lo[fresh & ~d] = theta[fresh & ~d]
        found = np.isfinite(hi)
        # a change seen only at stage points (not on the dense output): retry with h / 2
        accept[kk[~found]] = False
        err[kk[~found]] = (SAFETY / 0.5) ** (-1.0 / self.tab.error_exponent)
        hi = np.where(found, hi, 1.0)
        for _ in range(_BISECTIONS):
            mid = 0.5 * (lo + hi)
            d = differs(mid)
            hi = np.where(d, mid, hi)
            lo = np.where(d, lo, mid)
        new_pattern = sub.pattern(at(hi)[:, :p])
        h_cut = hi * h[kk]
        y_cut, k_cut, _ = self.tab.step(_frozen_rhs(sub, self.dynamics, fr),
                                        t[kk], y[kk], f[kk], h_cut)
        self.nfev[act[kk]] += self.tab.n_stages
        scale = self.atol + self.rtol * np.maximum(np.abs(y[kk]), np.abs(y_cut))
        err_cut = self.tab.error_norm(k_cut, h_cut, scale)
        good = found & np.isfinite(err_cut) & (err_cut <= 1.0)
        failed = found & ~good
        accept[kk[failed]] = False
        err[kk[failed]] = np.where(np.isfinite(err_cut[failed]), err_cut[failed], np.inf)
        h[kk[failed]] = h_cut[failed]
        if not np.any(good):
            return
        g = np.flatnonzero(good)
        rows = kk[g]
        y_new[rows], k[:, rows], h[rows], err[rows] = y_cut[g], k_cut[:, g], h_cut[g], err_cut[g]
        t_new[rows] = t[rows] + h_cut[g]
        flips = new_pattern[g] != fr[g]
        gap = t[rows] + h_cut[g] - self.last_kink_time[act[rows]]
        quick = (gap < _SLIDING_GAP * (self.t_end - self.dynamics.t_start)) & \
            np.all(flips == self.last_flips[act[rows]], axis=1)
        self.kink_streak[act[rows]] = np.where(quick, self.kink_streak[act[rows]] + 1, 0)
        self.last_flips[act[rows]] = flips
        self.last_kink_time[act[rows]] = t[rows] + h_cut[g]
        self.frozen[act[rows]] = new_pattern[g]
        f_new[rows] = _frozen_rhs(sub.take(g), self.dynamics, new_pattern[g])(t_new[rows], y_cut[g])[0]
        self.nfev[act[rows]] += 1
        self.n_kinks[act[rows]] += 1
        self.sliding[act[rows]] |= self.kink_streak[act[rows]] >= _SLIDING_STREAK

    def _control(self, act, accept, finite, err, h):
        """scipy's step-size controller, per instance."""
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            grow = np.where(err == 0, MAX_FACTOR,
                            np.minimum(MAX_FACTOR, SAFETY * np.maximum(err, 1e-300) ** self.tab.error_exponent))
            shrink = np.where(finite, np.maximum(MIN_FACTOR, SAFETY * np.maximum(err, 1e-300)
                                                 ** self.tab.error_exponent), MIN_FACTOR)
        grow = np.where(self.rejected_last[act], np.minimum(1.0, grow), grow)
        self.h[act] = h * np.where(accept, grow, shrink)
        self.rejected_last[act] = ~accept
        self.n_accepted[act] += accept
        self.n_rejected[act] += ~accept

    def _record(self, rows, frozen, t, y, y_new, k, h, t_new, f_new):
        """Store accepted steps (taken with patterns ``frozen``): samples via dense output,
        then the new state; stop instances that reached t_end or diverged."""
        t_eval = self.t_eval
        nxt = self.next_sample[rows]
        need = (nxt < len(t_eval)) & (t_eval[np.minimum(nxt, len(t_eval) - 1)] <= t_new)
        if np.any(need):
            loc = np.flatnonzero(need)
            rhs = _frozen_rhs(self.model.take(rows[loc]), self.dynamics,
                              None if frozen is None else frozen[loc])
            at, extra = self.tab.dense(rhs, t[loc], y[loc], y_new[loc], k[:, loc], h[loc])
            self.nfev[rows[loc]] += extra
            self._fill_samples(rows[loc], t[loc], h[loc], at)
        self.t[rows], self.y[rows], self.f[rows] = t_new, y_new, f_new
        done = t_new >= self.t_end
        self._stop(rows[done], 0, self.t_end)
        slide = self.sliding[rows] & ~done
        self._stop(rows[slide], 4, t_new[slide])
        self._check_divergence(rows, y_new)

    def _limit_steps(self, act, accept, finite, h, t):
        """Stop instances whose step size underflowed or that used up ``max_steps``."""
        still = self.running[act]
        tiny = ~accept & (self.h[act] < 16 * np.spacing(np.abs(t) + 1.0)) & still
        if np.any(tiny):
            code = np.where(finite[tiny], 3, 2)
            for c in (2, 3):
                rows = act[tiny][code == c]
                self._stop(rows, c, self.t[rows])
        over = (self.n_accepted[act] + self.n_rejected[act] >= self.max_steps) & self.running[act]
        if np.any(over):
            self._stop(act[over], 3, self.t[act[over]])
