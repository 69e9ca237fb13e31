"""``check_bound``: search simulated trajectories for a violation of a user's bound.

Design (notes/bounds.md has the long form):

* An **instance** is one fully specified scenario: dynamics and its parameter, model family,
  sizes, horizon and a ``data_seed`` from which the model's data and initial weights are drawn
  (batch of one).  Its evaluation (:func:`evaluate_instance`) is a pure function of that
  dictionary, so it gives the same result in any process, thread or cluster worker.
* The **search** is a Hypothesis run seeded with ``seed`` (``database=None``): each Hypothesis
  example is a *group* of ``GROUP`` instances drawn from the scenario's ranges; the group is
  evaluated with ``executor.map`` (or serially), ``target()`` receives the group's worst
  margin, and a group that contains a *confirmed* violation fails the test so that Hypothesis
  shrinks it to a minimal counterexample.  The group size does not depend on the executor and
  the reduction sorts by (margin, instance), so the answer is identical for any executor.
* A violation counts only when it is **confirmed**: the instance is re-run at 10x tighter
  tolerances (:func:`numeric_checks.confirm`), the bound is violated on the fine run too, and
  the fine margin's size exceeds the difference between the two runs' margins at that time.
  Otherwise the answer is ``inconclusive``; so is any search with a stopped (diverged,
  non-finite, step-limited, sliding) instance: it is reported, never counted as holding.
"""

from __future__ import annotations

import json
import math
import shlex
import time
from dataclasses import dataclass, field

import numpy as np

from derivations import DerivcheckError, InvalidParameter

from . import _quantities as Q
from ._bound_lang import Bound, BoundError, parse_bound
from ._dynamics import gradient_flow, heavy_ball, nesterov
from ._errors import DerivcheckError as _NumericError
from ._models import ACTIVATIONS, mlp, ntk_two_layer, quadratic
from ._simulate import confirm, simulate

GROUP = 4
"""Instances per Hypothesis example (fixed, so the search does not depend on the executor)."""

DYNAMICS = ("gf", "hb", "nag")
MODELS = ("mlp", "ntk", "quadratic")

DEFAULT_SCENARIO = dict(dynamics="gf", gamma=3.0, damping=1.0, model="mlp", activation="relu",
                        depth=3, width=4, samples=4, input_dim=3, t_max=5.0, realizable=False)
"""Scenario keys and defaults.  For the quadratic model ``width`` is the dimension."""

_INT_KEYS = ("depth", "width", "samples", "input_dim")
_FLOAT_KEYS = ("gamma", "damping", "t_max")
STATUSES = ("holds_numerically", "refuted", "inconclusive")


# --------------------------------------------------------------------------------------------
# scenarios

def _int_range(name, value, minimum):
    lo, hi = value if isinstance(value, (tuple, list)) else (value, value)
    for v in (lo, hi):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum:
            raise InvalidParameter(name, value, f"must be an integer >= {minimum} or a range "
                                   f"(lo, hi) of such integers")
    if lo > hi:
        raise InvalidParameter(name, value, "range lo:hi needs lo <= hi")
    return int(lo), int(hi)


def _float_range(name, value, *, positive=True, fix=None):
    lo, hi = value if isinstance(value, (tuple, list)) else (value, value)
    for v in (lo, hi):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) \
                or not math.isfinite(v) or (v <= 0 if positive else v < 0):
            raise InvalidParameter(name, value, f"must be a finite number {'> 0' if positive else '>= 0'}"
                                   " or a range (lo, hi) of such numbers", fix=fix)
    if lo > hi:
        raise InvalidParameter(name, value, "range lo:hi needs lo <= hi")
    return float(lo), float(hi)


def normalise_scenario(scenario: dict | None) -> dict:
    """Validate a scenario; returns {key: fixed value or (lo, hi) range or tuple of choices}."""
    scenario = dict(scenario or {})
    unknown = sorted(set(scenario) - set(DEFAULT_SCENARIO) - {"data_seed"})
    if unknown:
        raise InvalidParameter("scenario", unknown, f"unknown keys; known: "
                               f"{sorted(DEFAULT_SCENARIO) + ['data_seed']}")
    s = {**DEFAULT_SCENARIO, **scenario}
    if s["dynamics"] not in DYNAMICS:
        raise InvalidParameter("dynamics", s["dynamics"], f"must be one of {DYNAMICS}",
                               fix="gf gradient flow, hb heavy ball, nag Nesterov flow")
    if s["model"] not in MODELS:
        raise InvalidParameter("model", s["model"], f"must be one of {MODELS}")
    acts = s["activation"] if isinstance(s["activation"], (tuple, list)) else (s["activation"],)
    for a in acts:
        if a not in ACTIVATIONS:
            raise InvalidParameter("activation", a, f"must be one of {ACTIVATIONS}")
    out = dict(dynamics=s["dynamics"], model=s["model"], realizable=bool(s["realizable"]),
               activation=tuple(acts) if len(acts) > 1 else acts[0])
    minimum = dict(depth=1, width=1, samples=1, input_dim=1)
    for k in _INT_KEYS:
        out[k] = _int_range(k, s[k], minimum[k])
    out["gamma"] = _float_range("gamma", s["gamma"], fix="Nesterov's flow uses gamma = 3")
    out["damping"] = _float_range("damping", s["damping"], positive=False)
    out["t_max"] = _float_range("t_max", s["t_max"], fix="a horizon such as 5")
    if out["model"] == "ntk":
        out["depth"] = (1, 1)  # only W is trained; a is fixed
    if out["model"] == "quadratic":
        out["depth"] = (1, 1)
    if "data_seed" in scenario:
        ds = scenario["data_seed"]
        if isinstance(ds, bool) or not isinstance(ds, (int, np.integer)) or not 0 <= ds < 2 ** 32:
            raise InvalidParameter("data_seed", ds, "must be an integer in [0, 2**32)")
        out["data_seed"] = int(ds)
    return out


def _collapse(ranges: dict) -> dict:
    """Ranges without the keys that do not matter for the chosen model/dynamics."""
    r = dict(ranges)
    if r["dynamics"] != "nag":
        r.pop("gamma")
    if r["dynamics"] != "hb":
        r.pop("damping")
    if r["model"] != "mlp":
        r.pop("activation")
        r.pop("depth")
    if r["model"] == "quadratic":
        r.pop("samples")
        r.pop("input_dim")
    return r


def _fixed(value):
    return not isinstance(value, tuple) or (len(value) == 2 and value[0] == value[1]
                                            and not isinstance(value[0], str))


def _value(value):
    return value[0] if isinstance(value, tuple) else value


def _range_text(ranges: dict) -> str:
    parts = []
    for k, v in ranges.items():
        if isinstance(v, tuple) and v and isinstance(v[0], str):
            parts.append(f"{k} in {{{', '.join(v)}}}")
        elif isinstance(v, tuple) and v[0] != v[1]:
            parts.append(f"{k} in [{v[0]:g}, {v[1]:g}]")
        else:
            parts.append(f"{k}={_value(v)}" if not isinstance(_value(v), float)
                         else f"{k}={_value(v):g}")
    return ", ".join(parts)


# --------------------------------------------------------------------------------------------
# one instance

def _build(inst: dict):
    """(model, dynamics) of one instance."""
    seed = inst["data_seed"]
    kind = inst["model"]
    if kind == "mlp":
        model = mlp(depth=inst["depth"], width=inst["width"], input_dim=inst["input_dim"],
                    n_samples=inst["samples"], activation=inst["activation"], batch=1,
                    seed=seed, realizable=inst["realizable"])
    elif kind == "ntk":
        model = ntk_two_layer(width=inst["width"], input_dim=inst["input_dim"],
                              n_samples=inst["samples"], batch=1, seed=seed,
                              realizable=inst["realizable"])
    else:
        rng = np.random.default_rng(seed)
        d = inst["width"]
        q, _ = np.linalg.qr(rng.standard_normal((d, d)))
        eig = rng.uniform(0.05, 1.0, d)
        a = (q * eig) @ q.T
        a = 0.5 * (a + a.T)
        b = np.zeros(d) if inst["realizable"] else a @ rng.standard_normal(d)
        model = quadratic(a[None], b[None], x0=rng.standard_normal((1, d)))
    dyn = inst["dynamics"]
    if dyn == "gf":
        flow = gradient_flow()
    elif dyn == "hb":
        flow = heavy_ball(inst["damping"])
    else:
        flow = nesterov(inst["gamma"])
    return model, flow


def _lambda0(model) -> np.ndarray:
    """lambda_min of H-infinity_ij = (1/2 - arccos(x_i.x_j)/(2 pi)) x_i.x_j (unit inputs), (B,)."""
    xx = np.clip(model.x @ np.swapaxes(model.x, 1, 2), -1.0, 1.0)
    hinf = (0.5 - np.arccos(xx) / (2 * np.pi)) * xx
    return np.linalg.eigvalsh(hinf)[:, 0]


class _Context:
    """Quantities of one trajectory for the bound language, (B, T) arrays (or (B, 1))."""

    def __init__(self, traj, inst, cache=None, at0=False):
        self.traj = traj
        self.inst = inst
        self.cache = {} if cache is None else cache
        self.is_at0 = at0
        self.h = None
        self.K = len(traj.model.layout.names)
        b = traj.state.shape[0]
        self.shape = (b, 1) if at0 else (b, traj.times.size)

    def _full(self, key, fn):
        if key not in self.cache:
            self.cache[key] = np.asarray(fn(), dtype=float)
        return self.cache[key]

    def _sl(self, arr):
        arr = np.asarray(arr, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        return arr[:, :1] if self.is_at0 else arr

    def quantity(self, name):
        tr, m = self.traj, self.traj.model
        if name == "t":
            return self._sl(np.broadcast_to(tr.times, (tr.state.shape[0], tr.times.size)))
        if name == "K":
            return float(self.K)
        if name == "gamma":
            return float(self.inst["gamma"])
        if name == "b":
            return float(self.inst["damping"])
        if name == "L":
            return self._sl(self._full("L", lambda: Q.loss(tr)))
        if name == "Lstar":
            return m.loss_star[:, None]
        if name == "L0":
            return m.loss(m.params0)[:, None]
        if name == "H":
            return self._sl(self._full("H", lambda: Q.hamiltonian(tr)))
        if name == "H0":
            return Q.h0(tr)[:, None]
        if name == "kinetic":
            return self._sl(self._full("kinetic", lambda: Q.kinetic(tr)))
        if name == "Delta":
            return self._sl(self._full("Delta", lambda: np.sqrt(np.sum(
                Q.error(tr).reshape(tr.state.shape[0], tr.times.size, -1) ** 2, axis=-1))))
        if name == "Lhat":
            def lhat():
                e = Q.error(tr)
                return 0.5 * np.einsum("bti,btij,btj->bt", e, Q.ntk_gram(tr), e)
            return self._sl(self._full("Lhat", lhat))
        if name == "lambda0":
            return _lambda0(m)[:, None]
        if name == "lammin_H":
            return self._sl(self._full("lammin_H", lambda: Q.ntk_lambda_min(tr)))
        raise BoundError(f"bound: quantity {name!r} is not available")  # pragma: no cover

    def layer(self, func, i):
        if not 1 <= i <= (self.K - 1 if func == "alpha" else self.K):
            raise BoundError(f"bound: {func}({i}) refers to a layer the model does not have "
                             f"(K = {self.K})")
        if func == "alpha":
            return self.layer("norm2", i) - self.layer("norm2", i + 1)
        if func == "norm2":
            norms = self._full("norm2", lambda: Q.layer_norms_sq(self.traj))
            return self._sl(norms[..., i - 1])

        def vnorms():
            v = self.traj.velocities
            return np.stack([np.sum(blk.reshape(blk.shape[:2] + (-1,)) ** 2, axis=-1)
                             for blk in self.traj.model.layout.split(v)], axis=-1)
        return self._sl(self._full("vnorm2", vnorms)[..., i - 1])

    def at0(self, f):
        sub = _Context(self.traj, self.inst, self.cache, at0=True)
        sub.h = self.h
        return np.broadcast_to(np.asarray(f(sub), dtype=float), sub.shape)

    def layersum(self, f):
        total = 0.0
        for h in range(1, self.K):
            self.h = h
            total = total + f(self)
        self.h = None
        return total


def _margins(bound, traj, inst):
    """(margin, violated, scale) arrays (B, T) of a parsed bound or a callable on the
    trajectory; ``scale`` is the size of the compared terms (|lhs| + |rhs|; for a callable
    |margin|), against which the accuracy of the run is judged."""
    if isinstance(bound, Bound):
        return bound.evaluate(_Context(traj, inst), with_scale=True)
    with np.errstate(all="ignore"):
        value = np.asarray(bound(traj))
    shape = (traj.state.shape[0], traj.times.size)
    if value.dtype == bool:
        value = np.broadcast_to(value, shape)
        return np.where(value, 0.0, -1.0), ~value, np.ones(shape)
    margin = np.broadcast_to(value.astype(float), shape)
    return margin, np.where(np.isnan(margin), False, margin < 0), np.abs(margin)


def _resolve_bound(bound, eq_tol):
    if isinstance(bound, str):
        return parse_bound(bound, eq_tol=eq_tol)
    if isinstance(bound, Bound):
        return bound
    if callable(bound):
        return bound
    raise InvalidParameter("bound", type(bound).__name__, "must be text in the bound language, "
                           "a parsed Bound or a callable trajectory -> margin array")


def evaluate_instance(bound, inst: dict, *, rtol: float = 1e-8, n_times: int = 101,
                      eq_tol: float = 1e-6) -> dict:
    """Simulate one instance, evaluate the bound; confirm any violation at rtol/10.

    Returns a JSON-able dict: ``instance``, ``status`` (the trajectory's), ``margin`` (worst
    over defined sample points, None if none), ``time``, ``violated``, ``confirmed``,
    ``fine_margin``, ``difference`` (|fine - coarse margin| at the fine run's worst time),
    ``floor`` (rtol (1 + |lhs| + |rhs|) there: the run's accuracy),
    ``undefined`` (sample points where the bound's value is NaN on a finite trajectory),
    ``nfev`` and ``error`` (a message if the evaluation raised).
    """
    b = _resolve_bound(bound, eq_tol)
    out = dict(instance=dict(inst), status="ok", margin=None, time=None, violated=False,
               confirmed=False, fine_margin=None, difference=None, floor=None, undefined=0, nfev=0,
               stop_time=None, error=None)
    t_eval = np.linspace(0.0, inst["t_max"], n_times)
    try:
        model, flow = _build(inst)
        traj = simulate(model, flow, t_end=inst["t_max"], t_eval=t_eval, rtol=rtol)
        out["status"] = str(traj.status[0])
        out["nfev"] = int(traj.nfev[0])
        if out["status"] != "ok":
            out["stop_time"] = float(traj.stop_time[0])
        margin, violated, _ = _margins(b, traj, inst)
        finite_state = np.all(np.isfinite(traj.state[0].reshape(n_times, -1)), axis=1)
        m = margin[0]
        defined = finite_state & ~np.isnan(m)
        out["undefined"] = int(np.sum(finite_state & np.isnan(m)))
        if not np.any(defined):
            return out
        k = int(np.flatnonzero(defined)[np.argmin(m[defined])])
        out["margin"], out["time"] = float(m[k]), float(t_eval[k])
        bad = violated[0] & defined
        if not np.any(bad):
            return out
        out["violated"] = True
        k = int(np.flatnonzero(bad)[np.argmin(m[bad])])
        out["margin"], out["time"] = float(m[k]), float(t_eval[k])
        # confirmation: the same instance at 10x tighter tolerances
        conf = confirm(model, flow, t_end=inst["t_max"], rtol=rtol, t_eval=t_eval)
        m_c, _, _ = _margins(b, conf.coarse, inst)
        m_f, v_f, scale = _margins(b, conf.fine, inst)
        fin = np.all(np.isfinite(conf.fine.state[0].reshape(n_times, -1)), axis=1) & \
            ~np.isnan(m_f[0])
        bad_f = v_f[0] & fin
        out["nfev"] += int(conf.fine.nfev[0])
        if not np.any(bad_f):
            out["fine_margin"] = None
            return out
        kf = int(np.flatnonzero(bad_f)[np.argmin(m_f[0][bad_f])])
        diff = float(abs(m_f[0][kf] - m_c[0][kf]))
        floor = float(rtol * (1.0 + scale[0][kf]))
        out["fine_margin"], out["difference"], out["floor"] = float(m_f[0][kf]), diff, floor
        out["time"] = float(t_eval[kf])
        out["margin"] = float(m_c[0][kf]) if np.isfinite(m_c[0][kf]) else out["margin"]
        # the violation must exceed the disagreement of the two solutions at that point and
        # the accuracy rtol (1 + |lhs| + |rhs|) of the coarse run: smaller violations of an
        # exact identity are integration noise (global error does not shrink exactly 10x)
        out["confirmed"] = bool(abs(m_f[0][kf]) > max(diff, floor))
    except (BoundError, DerivcheckError, _NumericError) as exc:
        out["status"], out["error"] = "error", f"{type(exc).__name__}: {exc}"
    return out


# --------------------------------------------------------------------------------------------
# the report

@dataclass
class BoundReport:
    """Result of :func:`check_bound`.

    ``status``: ``holds_numerically`` (no violation on any instance searched, every instance
    finished), ``refuted`` (a confirmed violation; ``counterexample`` is the minimal one found by
    shrinking, with ``replay`` / ``replay_cli`` reproducing it exactly) or ``inconclusive``
    (``evidence`` says why).  ``worst`` is the instance and time of the smallest margin.
    """

    bound: str
    status: str
    evidence: str
    worst_margin: float | None
    worst: dict | None
    n_instances: int
    ranges: dict
    seed: int
    examples: int
    tolerances: dict
    statuses: dict
    counterexample: dict | None = None
    replay: str = ""
    replay_cli: str = ""
    unconfirmed: int = 0
    undefined_points: int = 0
    errors: list = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict:
        d = dict(self.__dict__)
        d["ranges"] = {k: list(v) if isinstance(v, tuple) else v for k, v in self.ranges.items()}
        return d

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2, default=float)

    def __str__(self) -> str:
        lines = [f"{self.status}: {self.bound}", f"  {self.evidence}"]
        if self.worst is not None:
            lines.append(f"  worst margin {self.worst_margin:.6g} at t = {self.worst['time']:g} "
                         f"on {_inst_text(self.worst['instance'])}")
        if self.counterexample is not None:
            c = self.counterexample
            lines.append(f"  counterexample: {_inst_text(c['instance'])}, t = {c['time']:g}, "
                         f"margin {c['margin']:.6g} (rtol {self.tolerances['rtol']:g}), "
                         f"{c['fine_margin']:.6g} (rtol {self.tolerances['rtol'] / 10:g}), "
                         f"difference of the two runs {c['difference']:.3g}, accuracy floor "
                         f"{c['floor']:.3g}")
            lines.append(f"  replay: {self.replay_cli}")
            lines.append(f"  python: {self.replay}")
        return "\n".join(lines)


def _inst_text(inst: dict) -> str:
    keys = [k for k in ("dynamics", "gamma", "damping", "model", "activation", "depth", "width",
                        "samples", "input_dim", "t_max", "realizable", "data_seed") if k in inst]
    return ", ".join(f"{k}={inst[k]:g}" if isinstance(inst[k], float) else f"{k}={inst[k]}"
                     for k in keys)


def _relevant(inst: dict) -> dict:
    keep = set(_collapse({**{k: None for k in DEFAULT_SCENARIO}, "dynamics": inst["dynamics"],
                          "model": inst["model"]}))
    order = ("dynamics", "gamma", "damping", "model", "activation", "depth", "width", "samples",
             "input_dim", "t_max", "realizable", "data_seed")
    return {k: inst[k] for k in order if k in inst and (k in keep or k == "data_seed")}


def _replays(text: str, inst: dict, rtol: float) -> tuple[str, str]:
    inst = _relevant(inst)
    py = (f"numeric_checks.check_bound({text!r}, scenario={inst!r}"
          + (f", rtol={rtol!r}" if rtol != 1e-8 else "") + ")")
    cli = ["derivcheck", "bound", text, "--dynamics", inst["dynamics"], "--model", inst["model"]]
    flags = dict(gamma="--gamma", damping="--damping", activation="--activation", depth="--depth",
                 width="--width", samples="--samples", input_dim="--input-dim", t_max="--t-max",
                 data_seed="--data-seed")
    for k, flag in flags.items():
        if k in inst:
            cli += [flag, repr(inst[k]) if isinstance(inst[k], float) else str(inst[k])]
    if inst.get("realizable"):
        cli.append("--realizable")
    if rtol != 1e-8:
        cli += ["--rtol", repr(rtol)]
    return py, " ".join(shlex.quote(c) for c in cli)


# --------------------------------------------------------------------------------------------
# the search

class _Violation(Exception):
    def __init__(self, results):
        super().__init__("confirmed violation")
        self.results = results


def _strategy(ranges):
    from hypothesis import strategies as st

    parts = {}
    for k, v in ranges.items():
        if k in _INT_KEYS:
            parts[k] = st.integers(*v)
        elif k in _FLOAT_KEYS:
            parts[k] = st.just(v[0]) if v[0] == v[1] else st.floats(*v, allow_nan=False,
                                                                     allow_infinity=False)
        elif k == "activation" and isinstance(v, tuple):
            parts[k] = st.sampled_from(v)
        else:
            parts[k] = st.just(v)
    parts["data_seed"] = st.integers(0, 2 ** 32 - 1)
    return st.fixed_dictionaries(parts)


def _key(inst):
    return json.dumps(inst, sort_keys=True)


def check_bound(bound, *, scenario: dict | None = None, examples: int = 48, seed: int = 0,
                executor=None, rtol: float = 1e-8, n_times: int = 101, eq_tol: float = 1e-6,
                max_shrink_groups: int = 16, progress=None) -> BoundReport:
    """Search simulated trajectories for a violation of ``bound``; returns a :class:`BoundReport`.

    ``bound``: text in the bound language (:func:`parse_bound`) or a callable taking a
    :class:`numeric_checks.Trajectory` (one instance) and returning the margin along it (an
    array broadcastable to (1, T), >= 0 where the bound holds, or a boolean array); with a
    process or cluster executor the callable must be picklable (a module-level function).
    ``scenario``: dict over the keys of :data:`DEFAULT_SCENARIO`; numeric keys take a value or
    a range ``(lo, hi)`` and ``activation`` a tuple of choices, from which Hypothesis draws.
    With every key fixed and ``data_seed`` given, exactly that instance is evaluated (replay).
    ``examples``: instances in the search phase (``GROUP`` per Hypothesis example), shrinking
    adds at most ``max_shrink_groups`` groups.  ``seed`` seeds Hypothesis.  ``executor``: any
    ``concurrent.futures.Executor`` (e.g. ``ProcessPoolExecutor``, ``dask.distributed.Client(...)
    .get_executor()``) to evaluate each group's instances; results do not depend on it.
    ``rtol``: integration tolerance (confirmation at rtol/10); ``eq_tol`` for ``==``.
    ``progress``: optional callable(done_instances, planned_instances).
    """
    start = time.perf_counter()
    b = _resolve_bound(bound, eq_tol)
    text = b.text if isinstance(b, Bound) else getattr(bound, "__name__", repr(bound))
    ranges = normalise_scenario(scenario)
    if isinstance(examples, bool) or not isinstance(examples, (int, np.integer)) or examples < 1:
        raise InvalidParameter("examples", examples, "must be an integer >= 1")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidParameter("seed", seed, "must be an integer >= 0")
    if not (isinstance(rtol, float) and 1e-13 <= rtol < 1e-2):
        raise InvalidParameter("rtol", rtol, "must be a float in [1e-13, 1e-2)")
    if isinstance(n_times, bool) or not isinstance(n_times, int) or not 2 <= n_times <= 10_000:
        raise InvalidParameter("n_times", n_times, "must be an integer in [2, 10000]")
    if isinstance(b, Bound):
        b.validate(model=ranges["model"], dynamics=ranges["dynamics"],
                   depths=range(ranges["depth"][0], ranges["depth"][1] + 1),
                   loss_star_known=ranges["realizable"] or ranges["model"] == "quadratic")
    data_seed = ranges.pop("data_seed", None)
    ranges = _collapse(ranges)
    # bound travels to workers as text (cheap to re-parse) or as the callable itself
    payload = b.text if isinstance(b, Bound) else b
    opts = dict(rtol=rtol, n_times=n_times, eq_tol=eq_tol)
    results: dict[str, dict] = {}
    planned = examples

    def run(group):
        todo = [inst for inst in group if _key(inst) not in results]
        if todo:
            if executor is None:
                outs = [evaluate_instance(payload, inst, **opts) for inst in todo]
            else:
                outs = list(executor.map(_evaluate_star, [(payload, inst, opts) for inst in todo]))
            for inst, o in zip(todo, outs):
                results[_key(inst)] = o
            if progress is not None:
                progress(len(results), planned)
        return [results[_key(inst)] for inst in group]

    all_fixed = all(_fixed(v) for v in ranges.values())
    minimal = None
    if data_seed is not None and all_fixed:
        inst = {k: _value(v) for k, v in ranges.items()}
        inst["data_seed"] = data_seed
        out = run([inst])
        if out[0]["confirmed"]:
            minimal = out
        searched = "1 instance (replay of a fixed data_seed)"
    else:
        if data_seed is not None:
            raise InvalidParameter("data_seed", data_seed, "replays one instance: every other "
                                   "scenario key must be fixed, not a range")
        minimal, n_search = _search(ranges, run, examples, seed, max_shrink_groups, results)
        searched = (f"{len(results)} instances (Hypothesis seed {seed}, groups of {GROUP}: "
                    f"{n_search} before the first confirmed violation, budget {examples}")
        searched += f"; {len(results) - n_search} while shrinking)" if minimal else ")"
    return _report(text, ranges, results, minimal, seed, examples, opts, searched,
                   time.perf_counter() - start)


def _evaluate_star(args):
    payload, inst, opts = args
    return evaluate_instance(payload, inst, **opts)


def _search(ranges, run, examples, seed, max_shrink_groups, results):
    try:
        from hypothesis import HealthCheck, Phase, Verbosity, given, settings, target
        from hypothesis import seed as hseed
        from hypothesis import strategies as st
    except ImportError:  # pragma: no cover - hypothesis is a test extra
        raise DerivcheckError("check_bound needs the 'hypothesis' package (pip install "
                              "hypothesis)") from None
    failing: set = set()
    shrink_groups = [0]
    found = [False]
    n_search = [0]
    n_groups = max(1, math.ceil(examples / GROUP))

    @hseed(seed)
    @settings(max_examples=n_groups, database=None, derandomize=False, deadline=None,
              phases=(Phase.generate, Phase.target, Phase.shrink), print_blob=False,
              report_multiple_bugs=False, verbosity=Verbosity.quiet,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(_strategy(ranges), min_size=GROUP, max_size=GROUP,
                    unique_by=lambda inst: inst["data_seed"]))
    def probe(group):
        key = tuple(_key(i) for i in group)
        new = any(_key(i) not in results for i in group)
        if key not in failing and found[0] and new:
            if shrink_groups[0] >= max_shrink_groups:
                return  # shrink budget spent: unknown candidates are treated as passing
            shrink_groups[0] += 1
        out = run(group)
        margins = [o["margin"] for o in out if o["margin"] is not None and o["status"] == "ok"]
        if margins:
            target(float(np.clip(-min(margins), -1e12, 1e12)), label="negative worst margin")
        if key in failing or any(o["confirmed"] for o in out):
            if not found[0]:
                n_search[0] = len(results)
            found[0] = True
            failing.add(key)
            raise _Violation(out)

    try:
        probe()
    except _Violation as exc:
        return exc.results, n_search[0]
    return None, len(results)


def _report(text, ranges, results, minimal, seed, examples, opts, searched, seconds):
    outs = sorted(results.values(), key=lambda o: _key(o["instance"]))
    statuses: dict[str, int] = {}
    for o in outs:
        statuses[o["status"]] = statuses.get(o["status"], 0) + 1
    scored = [o for o in outs if o["margin"] is not None]
    worst = min(scored, key=lambda o: (o["margin"], _key(o["instance"]))) if scored else None
    confirmed = [o for o in outs if o["confirmed"]]
    unconfirmed = [o for o in outs if o["violated"] and not o["confirmed"]]
    stopped = [o for o in outs if o["status"] not in ("ok", "error")]
    errors = sorted({o["error"] for o in outs if o["error"]})
    undefined = sum(o["undefined"] for o in outs)
    tol = dict(rtol=opts["rtol"], atol=opts["rtol"] / 100, confirm_rtol=opts["rtol"] / 10,
               eq_tol=opts["eq_tol"], n_times=opts["n_times"])
    where = f"on {_range_text(ranges)}; {opts['n_times']} sample times on [0, t_max]; " \
            f"rtol {opts['rtol']:g}, atol {opts['rtol'] / 100:g}"
    counter, replay, replay_cli = None, "", ""
    if confirmed:
        status = "refuted"
        pick = None
        if minimal is not None:
            cands = [o for o in minimal if o["confirmed"]]
            pick = cands[0] if cands else None
        if pick is None:
            pick = min(confirmed, key=lambda o: (o["fine_margin"], _key(o["instance"])))
        counter = pick
        replay, replay_cli = _replays(text, pick["instance"], opts["rtol"])
        evidence = (f"violated on {len(confirmed)} of {len(outs)} instances, confirmed at rtol "
                    f"{opts['rtol'] / 10:g} with a margin exceeding both the difference of the two "
                    f"runs and rtol (1 + |lhs| + |rhs|); searched {searched} {where}")
    elif errors:
        status = "inconclusive"
        evidence = f"{sum(1 for o in outs if o['error'])} instance(s) raised: {errors[0]}"
    elif unconfirmed:
        status = "inconclusive"
        evidence = (f"{len(unconfirmed)} violation(s) not confirmed at rtol {opts['rtol'] / 10:g} "
                    f"(not beyond the difference of the two runs and rtol (1 + |lhs| + |rhs|): "
                    f"numerically zero margin); "
                    f"searched {searched} {where}")
    elif stopped:
        kinds = ", ".join(f"{k}={v}" for k, v in statuses.items() if k != "ok")
        status = "inconclusive"
        evidence = (f"{len(stopped)} of {len(outs)} trajectories stopped early ({kinds}); no "
                    f"violation before they stopped; searched {searched} {where}")
    elif worst is None:
        status = "inconclusive"
        evidence = f"the bound's value is undefined (NaN) at every sample; searched {searched}"
    else:
        status = "holds_numerically"
        evidence = f"no violation on {searched} {where}"
        if undefined:
            evidence += f"; {undefined} sample points where the bound is undefined (NaN) skipped"
    return BoundReport(
        bound=text, status=status, evidence=evidence,
        worst_margin=None if worst is None else worst["margin"],
        worst=None if worst is None else dict(instance=worst["instance"], time=worst["time"],
                                              status=worst["status"]),
        n_instances=len(outs), ranges=ranges, seed=seed, examples=examples, tolerances=tol,
        statuses=statuses, counterexample=counter, replay=replay, replay_cli=replay_cli,
        unconfirmed=len(unconfirmed), undefined_points=undefined, errors=errors,
        seconds=round(seconds, 3))
