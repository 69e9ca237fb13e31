"""Dynamics: series start, conservation laws, energy decrease, discrete methods."""

import numpy as np
import pytest

import numeric_checks as nc


def tanh_net(batch=2, seed=0):
    return nc.mlp(depth=3, width=4, input_dim=3, n_samples=4, batch=batch, activation="tanh", seed=seed)


def test_nesterov_follows_its_small_time_expansion_with_order_four_error():
    """W(t) = W0 - t^2/(2(gamma+1)) grad L(W0) + O(t^4): fit the order, expect 4 (band 3.5..4.5)."""
    model = tanh_net()
    gamma = 3.0
    times = np.array([0.02, 0.04, 0.08, 0.16])
    traj = nc.simulate(model, nc.nesterov(gamma, t0=1e-4), t_end=0.16, t_eval=times, rtol=1e-13,
                       atol=1e-16)
    g0 = model.grad(model.params0)
    series = model.params0[:, None] - times[None, :, None] ** 2 / (2 * (gamma + 1)) * g0[:, None]
    err = np.linalg.norm(traj.states - series, axis=-1)
    slopes = [np.polyfit(np.log(times), np.log(e), 1)[0] for e in err]
    assert all(3.5 < s < 4.5 for s in slopes), slopes


def test_nesterov_solution_does_not_depend_on_the_series_start_time():
    model = tanh_net()
    t_eval = np.linspace(0, 3, 7)
    late = nc.simulate(model, nc.nesterov(t0=1e-2), t_end=3.0, t_eval=t_eval, rtol=1e-10)
    early = nc.simulate(model, nc.nesterov(t0=1e-4), t_end=3.0, t_eval=t_eval, rtol=1e-10)
    # W error of the series start is O(t0^4) = 1e-8 * |Hess grad| / 192
    assert np.max(np.abs(late.states - early.states)) < 1e-9
    assert np.max(np.abs(late.states - early.states)) > 0


def test_samples_before_t0_come_from_the_series_start():
    model = tanh_net()
    traj = nc.simulate(model, nc.nesterov(3.0, t0=0.5), t_end=1.0, t_eval=[0.0, 0.25, 0.5, 1.0])
    g0 = model.grad(model.params0)
    assert np.array_equal(traj.states[:, 0], model.params0)
    assert np.allclose(traj.states[:, 1], model.params0 - 0.25 ** 2 / 8 * g0)
    assert np.allclose(traj.velocities[:, 1], -0.25 / 4 * g0)


def test_higher_order_flow_with_one_coefficient_is_the_heavy_ball():
    model = tanh_net()
    hb = nc.simulate(model, nc.heavy_ball(1.5), t_end=2.0, rtol=1e-10)
    ho = nc.simulate(model, nc.higher_order([1.5]), t_end=2.0, rtol=1e-10)
    assert np.allclose(hb.states, ho.states, rtol=0, atol=1e-12)


def test_third_order_flow_solves_its_ode():
    """W''' + b1 W' + b2 W'' + grad L = 0 on a scalar quadratic: check the ODE by differences."""
    model = nc.quadratic(np.array([[[2.0]]]), x0=np.array([[1.0]]))
    b = (1.0, 3.0)
    traj = nc.simulate(model, nc.higher_order(b), t_end=2.0, t_eval=np.linspace(0, 2, 401),
                       rtol=1e-12, atol=1e-14)
    w, v, acc = (traj.state[0, :, j, 0] for j in range(3))
    jerk = np.gradient(acc, traj.times)
    residual = jerk + b[0] * v + b[1] * acc + 2.0 * w
    assert np.max(np.abs(residual[5:-5])) < 1e-3
    assert np.array_equal(traj.state[0, 0, :, 0], [1.0, 0.0, 0.0])


@pytest.mark.parametrize("activation", ["linear", "relu", "leaky_relu"])
def test_gradient_flow_conserves_imbalances_of_homogeneous_networks(activation):
    """Conserved up to each instance's stop: relu gradient flow may reach a sliding mode,
    which is reported (status ``sliding``) and not integrated through."""
    model = nc.mlp(depth=4, width=5, input_dim=3, n_samples=5, batch=3, activation=activation, seed=4)
    traj = nc.simulate(model, nc.gradient_flow(), t_end=3.0, rtol=1e-9)
    assert set(traj.status) <= {"ok", "sliding"}
    valid = np.isfinite(traj.states).all(axis=-1)
    assert valid.sum(axis=1).max() >= 10 and np.all(valid == (traj.times <= traj.stop_time[:, None]))
    alpha = nc.imbalances(traj)
    norms = nc.layer_norms_sq(traj)
    drift = np.nanmax(np.abs(alpha - alpha[:, :1]))
    moved = np.nanmax(np.abs(norms - norms[:, :1]))
    assert drift < 1e-7 * np.nanmax(norms) and moved > 1e-2  # conserved while the norms move


def test_relu_gradient_flow_reports_sliding_modes_instead_of_chattering():
    model = nc.mlp(depth=4, width=5, input_dim=3, n_samples=5, batch=3, activation="relu", seed=4)
    traj = nc.simulate(model, nc.gradient_flow(), t_end=3.0, rtol=1e-9)
    sliding = traj.status == "sliding"
    assert sliding.any() and np.all(traj.stop_time[sliding] < 3.0)
    assert not np.any(traj.ok[sliding]) and np.all(traj.n_accepted < 5000)


def test_gradient_flow_does_not_conserve_imbalances_with_tanh():
    model = nc.mlp(depth=4, width=5, input_dim=3, n_samples=5, batch=3, activation="tanh", seed=4)
    traj = nc.simulate(model, nc.gradient_flow(), t_end=3.0, rtol=1e-9)
    alpha = nc.imbalances(traj)
    assert np.max(np.abs(alpha - alpha[:, :1])) > 1e-3


@pytest.mark.parametrize("dynamics", [nc.heavy_ball(1.0), nc.nesterov(3.0)], ids=["heavy_ball", "nesterov"])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_momentum_flows_never_increase_the_hamiltonian(dynamics, activation):
    model = nc.mlp(depth=3, width=6, input_dim=3, n_samples=5, batch=4, activation=activation, seed=1)
    traj = nc.simulate(model, dynamics, t_end=5.0, t_eval=np.linspace(0, 5, 201), rtol=1e-9)
    ham = nc.hamiltonian(traj)
    increase = np.max(np.diff(ham, axis=1))
    assert increase <= 1e-8 * np.max(ham)
    assert np.all(ham[:, -1] < 0.9 * ham[:, 0])  # and it does decrease


def test_gd_on_quadratic_matches_closed_form():
    a = np.stack([np.diag([1.0, 3.0]), np.diag([0.5, 2.0])])
    model = nc.quadratic(a, x0=np.ones((2, 2)))
    traj = nc.simulate(model, nc.gd(0.1), steps=20)
    k = traj.times
    expected = (1 - 0.1 * np.diagonal(a, axis1=1, axis2=2))[:, None, :] ** k[None, :, None]
    assert np.allclose(traj.states, expected)


def reference_iterations(grad, w0, steps, update):
    out, state = [w0], None
    for k in range(steps):
        w, state = update(k, out, state, grad)
        out.append(w)
    return np.array(out)


def test_heavy_ball_and_nesterov_iterations_match_their_formulas():
    model = nc.quadratic(np.array([[[1.0, 0.3], [0.3, 2.0]]]), np.array([[1.0, -1.0]]),
                         x0=np.array([[2.0, 1.0]]))
    grad = lambda w: model.grad(w[None])[0]  # noqa: E731
    w0, eta, beta, gamma = model.params0[0], 0.2, 0.7, 3.0

    def hb(k, out, state, g):
        prev = out[-2] if k > 0 else out[-1]
        return out[-1] - eta * g(out[-1]) + beta * (out[-1] - prev), None

    def nag_gamma(k, out, v_prev, g):  # eq. (4.1), counter kk = k + 1 from 1, v(1) = w(1)
        kk = k + 1
        v_prev = w0 if v_prev is None else v_prev
        v = out[-1] - eta * g(out[-1])
        return v + (kk - 1) / (kk + gamma - 1) * (v - v_prev), v

    def nag_const(k, out, state, g):  # Liao-Kyrillidis; we track (x_k, y_k) in state
        x_prev, y = (w0, w0) if state is None else state
        x = y - eta * g(y)
        return x, (x, x + beta * (x - x_prev))

    hb_traj = nc.simulate(model, nc.heavy_ball_discrete(eta, beta), steps=15)
    assert np.allclose(hb_traj.states[0], reference_iterations(grad, w0, 15, hb))
    g_traj = nc.simulate(model, nc.nesterov_discrete(eta, gamma=gamma), steps=15)
    assert np.allclose(g_traj.states[0], reference_iterations(grad, w0, 15, nag_gamma))
    c_traj = nc.simulate(model, nc.nesterov_discrete(eta, beta=beta), steps=15)
    assert np.allclose(c_traj.states[0], reference_iterations(grad, w0, 15, nag_const))
    assert c_traj.auxiliary is not None and g_traj.auxiliary is not None


def test_unstable_step_size_is_reported_diverged_per_instance():
    a = np.stack([np.eye(2), 30 * np.eye(2)])  # eta = 0.1 > 2 / 30 for the second
    model = nc.quadratic(a, x0=np.ones((2, 2)))
    traj = nc.simulate(model, nc.gd(0.1), steps=200, divergence_threshold=1e6)
    assert traj.status.tolist() == ["ok", "diverged"]
    stop = int(traj.stop_time[1])
    assert np.all(np.isnan(traj.states[1, stop + 1:])) and np.isfinite(traj.states[0]).all()


@pytest.mark.parametrize("call, match", [
    (lambda: nc.nesterov(gamma=-1), r"gamma=-1: must be a finite number > 0"),
    (lambda: nc.nesterov(t0=0.0), r"t0=0.0: must be a finite number > 0"),
    (lambda: nc.heavy_ball(-0.5), r"b=-0.5"),
    (lambda: nc.gd(0), r"eta=0"),
    (lambda: nc.nesterov_discrete(0.1), r"exactly one of beta"),
    (lambda: nc.higher_order([]), r"at least one coefficient"),
])
def test_invalid_dynamics_parameters(call, match):
    with pytest.raises(nc.InvalidParameter, match=match):
        call()
