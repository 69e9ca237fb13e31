"""check_bound: known-true bounds hold, a known-false bound is refuted with a confirmed,
replayable minimal counterexample, stopped trajectories are never 'holds', invalid
parameters are rejected, and the answer does not depend on the executor (process pool and a
real dask.distributed LocalCluster)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import numeric_checks as nc
from derivations import DerivcheckError, InvalidParameter
from numeric_checks._bound import GROUP

SMALL = dict(model="mlp", depth=(2, 3), width=(2, 3), samples=3, input_dim=2, t_max=3.0)


def _same(r1, r2):
    a, b = r1.to_json(), r2.to_json()
    a.pop("seconds"), b.pop("seconds")
    return a == b


def test_hamiltonian_decreases_under_nesterov_flow():
    r = nc.check_bound("H <= H0", scenario=dict(SMALL, dynamics="nag", realizable=True,
                                                activation="tanh"), examples=8, seed=0)
    assert r.status == "holds_numerically", r
    assert r.statuses == {"ok": r.n_instances} and r.n_instances >= GROUP
    assert r.worst_margin >= 0
    assert "instances" in r.evidence and "rtol" in r.evidence and "depth in [2, 3]" in r.evidence
    assert r.counterexample is None


def test_imbalance_conserved_under_gradient_flow():
    # |W_h|^2 - |W_{h+1}|^2 is conserved by gradient flow for homogeneous activations
    r = nc.check_bound("alpha(1) == at0(alpha(1))",
                       scenario=dict(SMALL, dynamics="gf", activation="linear"),
                       examples=8, seed=1)
    assert r.status == "holds_numerically", r
    assert r.statuses == {"ok": r.n_instances}


def test_imbalance_not_conserved_for_tanh_is_refuted():
    # ... but not for tanh, which is not positively homogeneous: a real counterexample
    r = nc.check_bound("alpha(1) == at0(alpha(1))",
                       scenario=dict(SMALL, dynamics="gf", activation="tanh"), examples=8, seed=1,
                       max_shrink_groups=8)
    assert r.status == "refuted", r
    c = r.counterexample
    assert c["confirmed"] and abs(c["fine_margin"]) > max(c["difference"], c["floor"])


def test_false_bound_refuted_with_minimal_replayable_counterexample():
    # L(t) <= L0/2 for all t is false (it fails at t = 0 already): shrinking reaches the
    # smallest sizes of the ranges
    sc = dict(model="mlp", dynamics="hb", damping=(0.5, 2.0), depth=(2, 4), width=(2, 5),
              samples=3, input_dim=2, t_max=2.0, activation="linear")
    r = nc.check_bound("L <= L0/2", scenario=sc, examples=8, seed=4, max_shrink_groups=12)
    assert r.status == "refuted", r
    c = r.counterexample
    inst = c["instance"]
    assert (inst["depth"], inst["width"]) == (2, 2)
    assert c["confirmed"] and c["fine_margin"] < 0 and abs(c["fine_margin"]) > c["difference"]
    assert "data_seed" in r.replay and "--data-seed" in r.replay_cli
    again = nc.check_bound("L <= L0/2", scenario={k: v for k, v in inst.items()})
    assert again.status == "refuted" and again.n_instances == 1
    assert again.counterexample["fine_margin"] == c["fine_margin"]
    assert str(r).count("replay:") == 1


def test_refutation_needs_more_than_integration_noise():
    # equality written as two inequalities: exact conservation, so any violation is at the
    # level of the integration error and must not be reported as a refutation
    r = nc.check_bound("alpha(1) - at0(alpha(1)) <= 0",
                       scenario=dict(SMALL, dynamics="gf", activation="linear"),
                       examples=8, seed=2)
    assert r.status in ("holds_numerically", "inconclusive"), r
    assert r.counterexample is None


def test_stopped_trajectories_are_never_holds():
    # relu gradient flow on the NTK model typically reaches sliding modes: reported as such
    r = nc.check_bound("L <= L0", scenario=dict(model="ntk", dynamics="gf", width=20,
                                                samples=3, input_dim=2, t_max=2.0),
                       examples=8, seed=0)
    stopped = sum(v for k, v in r.statuses.items() if k != "ok")
    if stopped:
        assert r.status == "inconclusive" and "stopped early" in r.evidence
    else:
        assert r.status == "holds_numerically"


def test_ntk_quantities_and_quadratic_model():
    r = nc.check_bound("Lhat >= 0", scenario=dict(model="ntk", dynamics="hb", damping=1.0,
                                                  width=16, samples=3, input_dim=2),
                       examples=4, seed=0)
    assert r.status == "holds_numerically", r
    r = nc.check_bound("L - Lstar <= L0 - Lstar", scenario=dict(model="quadratic", dynamics="gf",
                                                                width=(2, 4)), examples=8)
    assert r.status == "holds_numerically", r


def _margin_h(traj):
    return nc.h0(traj)[:, None] - nc.hamiltonian(traj)


def test_callable_bound_equals_text_bound():
    sc = dict(SMALL, dynamics="nag", realizable=True, activation="linear")
    a = nc.check_bound("H <= H0", scenario=sc, examples=4, seed=3)
    b = nc.check_bound(_margin_h, scenario=sc, examples=4, seed=3)
    assert a.status == b.status == "holds_numerically"
    assert b.bound == "_margin_h"
    assert a.n_instances == b.n_instances and a.worst_margin == pytest.approx(b.worst_margin)


def test_same_answer_serially_and_with_a_process_pool():
    sc = dict(model="mlp", dynamics="gf", depth=(2, 3), width=(2, 4), samples=3, input_dim=2,
              t_max=2.0, activation="linear")
    kw = dict(scenario=sc, examples=8, seed=5, max_shrink_groups=4)
    serial = nc.check_bound("L <= 0.9*L0 + t", **kw)
    with ProcessPoolExecutor(2) as ex:
        pooled = nc.check_bound("L <= 0.9*L0 + t", executor=ex, **kw)
    assert serial.status == "refuted"
    assert _same(serial, pooled)


def test_same_answer_on_a_dask_local_cluster():
    from dask import distributed
    sc = dict(SMALL, dynamics="nag", realizable=True, activation="linear")
    serial = nc.check_bound("H <= H0", scenario=sc, examples=8, seed=6)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = nc.check_bound("H <= H0", scenario=sc, examples=8, seed=6,
                                executor=client.get_executor())
    assert serial.status == "holds_numerically"
    assert _same(serial, remote)


@pytest.mark.parametrize("scenario, match", [
    (dict(dynamics="nag", gamma=0.0), "gamma"),
    (dict(dynamics="nag", gamma=-1.0), "gamma"),
    (dict(width=-3), "width"),
    (dict(t_max=0.0), "t_max"),
    (dict(t_max=-1.0), "t_max"),
    (dict(depth=(4, 2)), "lo <= hi"),
    (dict(dynamics="sgd"), "dynamics"),
    (dict(model="resnet"), "model"),
    (dict(activation="gelu"), "activation"),
    (dict(colour="red"), "unknown keys"),
    (dict(depth=(2, 3), data_seed=1), "every other scenario key must be fixed"),
])
def test_invalid_parameters(scenario, match):
    with pytest.raises(InvalidParameter, match=match):
        nc.check_bound("L <= L0", scenario=scenario, examples=1)


def test_alpha_needs_two_layers():
    with pytest.raises(DerivcheckError, match="depth must be >= 2"):
        nc.check_bound("alpha(1) <= 1", scenario=dict(depth=1), examples=1)
    with pytest.raises(DerivcheckError, match="depth must be >= 3"):
        nc.check_bound("alpha(2) <= 1", scenario=dict(depth=(2, 4)), examples=1)


def test_unknown_quantity_for_the_model_and_unknown_loss_star():
    with pytest.raises(DerivcheckError, match="not defined for model 'quadratic'"):
        nc.check_bound("Delta <= 1", scenario=dict(model="quadratic"), examples=1)
    with pytest.raises(DerivcheckError, match="realizable"):
        nc.check_bound("H <= H0", scenario=dict(model="mlp", realizable=False), examples=1)


def test_bad_arguments():
    with pytest.raises(InvalidParameter, match="examples"):
        nc.check_bound("L <= L0", examples=0)
    with pytest.raises(InvalidParameter, match="bound"):
        nc.check_bound(3.0)
    with pytest.raises(DerivcheckError, match="syntax error"):
        nc.check_bound("L <= (L0")


def test_report_json_round_trip():
    import json

    r = nc.check_bound("L <= L0", scenario=dict(model="quadratic", dynamics="hb", width=2),
                       examples=4)
    d = json.loads(r.to_json_text())
    assert d["status"] == r.status and d["n_instances"] == r.n_instances
    assert d["tolerances"]["confirm_rtol"] == pytest.approx(d["tolerances"]["rtol"] / 10)
    assert np.isfinite(d["worst_margin"])
