"""Batched integration: exactness, per-instance tolerance, kinks, samples, divergence."""

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
from hypothesis import given, settings, strategies as st

import numeric_checks as nc

RTOL = 1e-8
# Global error may exceed the local tolerance by a modest factor on these contracting flows.
GLOBAL_FACTOR = 10


def exact_gradient_flow(model, times):
    """x(t) = x* + expm(-A t)(x0 - x*) for a positive-definite quadratic, (B, T, d)."""
    xstar = np.linalg.solve(model.a, model.b[..., None])[..., 0]
    return np.stack([[xs + scipy.linalg.expm(-a * t) @ (x0 - xs) for t in times]
                     for a, xs, x0 in zip(model.a, xstar, model.params0)])


def quadratic_batch(eigenvalues, seed=0):
    """Quadratics with the given spectra (one list per instance), random rotations, b and x0."""
    rng = np.random.default_rng(seed)
    d = len(eigenvalues[0])
    q = np.linalg.qr(rng.standard_normal((len(eigenvalues), d, d)))[0]
    a = q @ (np.asarray(eigenvalues)[:, :, None] * np.swapaxes(q, 1, 2))
    a = 0.5 * (a + np.swapaxes(a, 1, 2))
    return nc.quadratic(a, rng.standard_normal((len(eigenvalues), d)),
                        x0=rng.standard_normal((len(eigenvalues), d)))


def relative_error(states, reference):
    """Per instance: max over samples of |x - x_ref| / max(1, |x_ref|)."""
    err = np.linalg.norm(states - reference, axis=-1)
    return np.max(err / np.maximum(1.0, np.linalg.norm(reference, axis=-1)), axis=1)


@pytest.mark.parametrize("method", nc.METHODS)
def test_gradient_flow_on_quadratic_matches_matrix_exponential(method):
    model = quadratic_batch([[0.3, 1.0, 2.0], [0.1, 0.5, 4.0]])
    t_eval = np.linspace(0, 3, 13)
    traj = nc.simulate(model, nc.gradient_flow(), t_end=3.0, t_eval=t_eval, rtol=RTOL, method=method)
    assert np.all(traj.ok)
    assert np.all(relative_error(traj.states, exact_gradient_flow(model, t_eval)) < GLOBAL_FACTOR * RTOL)


def test_stiff_instance_neither_inflates_steps_nor_hides_errors_of_easy_ones():
    easy = [[0.5, 1.0, 2.0], [0.2, 0.7, 1.5], [1.0, 1.0, 3.0]]
    stiff = [[1.0, 50.0, 400.0]]
    alone = quadratic_batch(easy, seed=1)
    mixed = nc.quadratic(np.concatenate([alone.a, quadratic_batch(stiff, seed=2).a]),
                         np.concatenate([alone.b, np.ones((1, 3))]),
                         x0=np.concatenate([alone.params0, 1e3 * np.ones((1, 3))]))
    t_eval = np.linspace(0, 2, 9)
    solo = nc.simulate(alone, nc.gradient_flow(), t_end=2.0, t_eval=t_eval, rtol=RTOL)
    both = nc.simulate(mixed, nc.gradient_flow(), t_end=2.0, t_eval=t_eval, rtol=RTOL)
    assert np.all(both.ok)
    # the stiff instance takes many more steps; the easy ones take exactly their own
    assert both.n_accepted[3] > 5 * both.n_accepted[:3].max()
    assert np.array_equal(both.n_accepted[:3], solo.n_accepted)
    assert np.array_equal(both.nfev[:3], solo.nfev)
    # every instance meets the tolerance on its own, the small-scale easy ones included
    err = relative_error(both.states, exact_gradient_flow(mixed, t_eval))
    assert np.all(err < GLOBAL_FACTOR * RTOL), err


def error_in_tolerance_units(states, reference, atol, rtol):
    """Per instance: max over samples of |x - x_ref| / (atol + rtol |x_ref|)."""
    return np.max(np.linalg.norm(states - reference, axis=-1)
                  / (atol + rtol * np.linalg.norm(reference, axis=-1)), axis=-1)


@given(spectra=st.lists(st.lists(st.floats(0.05, 30.0), min_size=2, max_size=2),
                        min_size=1, max_size=4),
       scales=st.lists(st.floats(-3, 3), min_size=4, max_size=4))
@settings(deadline=None)
def test_every_instance_is_as_accurate_as_if_solved_alone_whatever_its_scale(spectra, scales):
    """Batched with others of very different scales, each instance's global error (in units
    of its own tolerance) is that of solve_ivp(DOP853) on the instance alone."""
    model = quadratic_batch(spectra, seed=len(spectra))
    scale = 10.0 ** np.asarray(scales[:len(spectra)])[:, None]
    model = nc.quadratic(model.a, model.b * scale, x0=model.params0 * scale)
    t_eval = np.linspace(0, 1, 5)
    traj = nc.simulate(model, nc.gradient_flow(), t_end=1.0, t_eval=t_eval, rtol=RTOL)
    ref = exact_gradient_flow(model, t_eval)
    err = error_in_tolerance_units(traj.states, ref, traj.atol, traj.rtol)
    for i in range(model.batch):
        alone = scipy.integrate.solve_ivp(
            lambda t, x, i=i: model.b[i] - model.a[i] @ x, (0, 1), model.params0[i],
            method="DOP853", rtol=traj.rtol, atol=traj.atol, t_eval=t_eval)
        err_alone = error_in_tolerance_units(alone.y.T, ref[i], traj.atol, traj.rtol)
        assert err[i] <= 2 * err_alone + 1, (i, err[i], err_alone)
    assert np.all(err < 100), err


def test_samples_between_steps_come_from_accurate_dense_output():
    model = quadratic_batch([[0.5, 2.0]])
    t_eval = np.sort(np.random.default_rng(3).uniform(0, 4, 200))
    for method in nc.METHODS:
        traj = nc.simulate(model, nc.gradient_flow(), t_end=4.0, t_eval=t_eval, rtol=RTOL,
                           method=method)
        assert traj.n_accepted[0] < len(t_eval)  # fewer steps than samples: interpolated
        assert relative_error(traj.states, exact_gradient_flow(model, t_eval))[0] < GLOBAL_FACTOR * RTOL


def relu_nesterov_reference(model, t_eval, t_end):
    return nc.simulate(model, nc.nesterov(3.0, t0=1e-3), t_end=t_end, t_eval=t_eval, rtol=1e-12)


def test_kink_location_keeps_relu_trajectories_within_tolerance():
    model = nc.mlp(depth=3, width=6, input_dim=3, n_samples=4, batch=4, seed=7)
    t_eval = np.linspace(0, 4, 21)
    ref = relu_nesterov_reference(model, t_eval, 4.0)
    located = nc.simulate(model, nc.nesterov(3.0, t0=1e-3), t_end=4.0, t_eval=t_eval, rtol=1e-7)
    assert np.all(ref.ok) and np.all(located.ok)
    assert located.n_kinks.sum() >= 5  # the test exercises kinks
    assert np.all(relative_error(located.states, ref.states) < GLOBAL_FACTOR * 1e-7)


def test_kinks_without_location_cost_rejected_steps():
    model = nc.mlp(depth=3, width=6, input_dim=3, n_samples=4, batch=4, seed=7)
    kw = dict(t_end=4.0, rtol=1e-8)
    located = nc.simulate(model, nc.nesterov(), **kw)
    blind = nc.simulate(model, nc.nesterov(), locate_kinks=False, **kw)
    assert blind.n_rejected.sum() > 5 * located.n_rejected.sum()


def test_repelling_instance_is_reported_diverged_while_others_finish():
    a = np.stack([np.diag([1.0, 2.0]), np.diag([-1.0, 1.0])])
    model = nc.quadratic(a, x0=np.ones((2, 2)), require_psd=False)
    traj = nc.simulate(model, nc.gradient_flow(), t_end=30.0, divergence_threshold=1e6)
    assert traj.status.tolist() == ["ok", "diverged"]
    # x_1(t) = e^t leaves 1e6 at t = ln(1e6)
    assert traj.stop_time[1] == pytest.approx(np.log(1e6), rel=0.05)
    after = traj.times > traj.stop_time[1]
    assert np.all(np.isnan(traj.states[1, after])) and np.all(np.isfinite(traj.states[0]))
    assert not traj.ok[1]


def test_overflowing_discrete_iteration_is_reported_nonfinite():
    model = nc.quadratic(np.stack([np.eye(2), 10 * np.eye(2)]), x0=np.ones((2, 2)))
    traj = nc.simulate(model, nc.gd(0.5), steps=2000, divergence_threshold=np.inf)
    assert traj.status.tolist() == ["ok", "nonfinite"]
    assert np.isfinite(traj.stop_time[1]) and traj.stop_time[1] < 2000


def test_confirmation_reruns_ten_times_tighter_and_reports_small_differences():
    model = quadratic_batch([[0.5, 2.0], [1.0, 3.0]])
    conf = nc.confirm(model, nc.heavy_ball(1.0), t_end=3.0, rtol=1e-6)
    assert conf.fine.rtol == pytest.approx(conf.coarse.rtol / 10)
    assert conf.fine.atol == pytest.approx(conf.coarse.atol / 10)
    assert np.all(conf.fine.nfev > conf.coarse.nfev)
    assert np.all(conf.state_difference < 1e-5) and np.all(conf.state_difference > 0)
    dl = conf.quantity_difference(nc.loss)
    assert dl.shape == (2,) and np.all(dl < 1e-5)


@pytest.mark.parametrize("kwargs, match", [
    (dict(t_end=-1.0), r"t_end=-1.0"),
    (dict(t_end=1.0, rtol=0.0), r"rtol=0.0: must be in \(0, 1\)"),
    (dict(t_end=1.0, method="Euler"), r"method='Euler'"),
    (dict(t_end=1.0, t_eval=[0.5, 0.2]), r"t_eval=.*sorted"),
    (dict(t_end=1.0, atol=-1.0), r"atol=-1.0"),
])
def test_invalid_integration_options_are_rejected(kwargs, match):
    model = quadratic_batch([[1.0, 2.0]])
    with pytest.raises(nc.InvalidParameter, match=match):
        nc.simulate(model, nc.gradient_flow(), **kwargs)


def test_nesterov_end_time_must_exceed_t0():
    model = quadratic_batch([[1.0, 2.0]])
    with pytest.raises(nc.InvalidParameter, match=r"t_end=0.01: must be a finite time > 0.1"):
        nc.simulate(model, nc.nesterov(t0=0.1), t_end=0.01)
