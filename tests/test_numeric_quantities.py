"""Trajectory quantities and lambdify_on."""

import numpy as np
import pytest
import sympy

import numeric_checks as nc


@pytest.fixture(scope="module")
def nesterov_traj():
    model = nc.mlp(depth=3, width=4, input_dim=3, n_samples=5, batch=3, activation="tanh", seed=2)
    return nc.simulate(model, nc.nesterov(3.0), t_end=2.0, t_eval=np.linspace(0, 2, 11), rtol=1e-9)


def test_hamiltonian_is_kinetic_plus_loss_minus_loss_star(nesterov_traj):
    traj = nesterov_traj
    v = traj.velocities
    expected = 0.5 * np.sum(v * v, axis=-1) + traj.model.loss(traj.states) - traj.model.loss_star[:, None]
    assert np.allclose(nc.hamiltonian(traj), expected)
    assert np.allclose(nc.h0(traj), traj.model.loss(traj.model.params0))  # zero initial velocity
    assert np.allclose(nc.hamiltonian(traj)[:, 0], nc.h0(traj))


def test_layer_norms_and_imbalances_follow_the_layout(nesterov_traj):
    traj = nesterov_traj
    w = traj.model.layout.split(traj.states)
    norms = nc.layer_norms_sq(traj)
    assert norms.shape == traj.states.shape[:2] + (3,)
    assert np.allclose(norms[..., 1], np.sum(w[1] ** 2, axis=(-2, -1)))
    assert np.allclose(nc.imbalances(traj)[..., 0], norms[..., 0] - norms[..., 1])


def test_lambdify_on_evaluates_a_sympy_bound_on_named_and_array_quantities(nesterov_traj):
    traj = nesterov_traj
    t, h, h0, c = sympy.symbols("t H H_0 c", positive=True)
    expr = h0 * (1 + c * t) - h
    alpha = nc.imbalances(traj)[..., 0]
    a = sympy.Symbol("alpha_1")
    value = nc.lambdify_on(traj, expr + a, {t: "t", h: "H", h0: "H0", c: 0.5, a: alpha})
    expected = nc.h0(traj)[:, None] * (1 + 0.5 * traj.times) - nc.hamiltonian(traj) + alpha
    assert value.shape == (3, 11) and np.allclose(value, expected)


def test_lambdify_on_rejects_missing_symbols_and_text(nesterov_traj):
    t, h = sympy.symbols("t H")
    with pytest.raises(nc.InvalidParameter, match=r"no value for the symbols \['H'\]"):
        nc.lambdify_on(nesterov_traj, t * h, {t: "t"})
    with pytest.raises(nc.InvalidParameter, match="must be a SymPy expression"):
        nc.lambdify_on(nesterov_traj, "t * H", {t: "t"})


def test_ntk_gram_matches_jacobian_outer_products_and_eq_2_6():
    model = nc.ntk_two_layer(width=32, input_dim=3, n_samples=5, batch=2, seed=1)
    traj = nc.simulate(model, nc.heavy_ball(2.0), t_end=0.5, t_eval=[0.0, 0.5], rtol=1e-6)
    gram = nc.ntk_gram(traj)
    for k in range(2):
        jac = model.jacobian(traj.states[:, k])
        assert np.allclose(gram[:, k], jac @ np.swapaxes(jac, 1, 2))
    lam = nc.ntk_lambda_min(traj)
    assert np.allclose(lam, np.linalg.eigvalsh(gram)[..., 0]) and np.all(lam > 0)


def test_empirical_ntk_of_mlp_is_psd_gram_of_output_jacobian():
    model = nc.mlp(depth=2, width=6, input_dim=3, output_dim=2, n_samples=3, batch=2, seed=0)
    traj = nc.simulate(model, nc.gd(0.01), steps=2)
    gram = nc.ntk_gram(traj)
    assert gram.shape == (2, 3, 6, 6)
    assert np.allclose(gram, np.swapaxes(gram, -1, -2)) and np.all(nc.ntk_lambda_min(traj) > -1e-12)


def test_error_is_output_minus_target_and_loss_is_half_its_square(nesterov_traj):
    delta = nc.error(nesterov_traj)
    assert np.allclose(nc.loss(nesterov_traj), 0.5 * np.sum(delta ** 2, axis=(-2, -1)))


def test_quantities_are_nan_after_an_instance_stopped():
    a = np.stack([np.eye(2), -np.eye(2)])
    model = nc.quadratic(a, x0=np.ones((2, 2)), require_psd=False)
    traj = nc.simulate(model, nc.heavy_ball(0.5), t_end=40.0, divergence_threshold=1e4)
    assert traj.status.tolist() == ["ok", "diverged"]
    assert np.isnan(nc.hamiltonian(traj)[1, -1]) and np.isfinite(nc.hamiltonian(traj)[0]).all()
