"""Batched models: gradients against central finite differences, conventions, validation."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import numeric_checks as nc
from numeric_checks._models import MLP

FD_STEP = 1e-6


def finite_difference_grad(model, params):
    """Central differences of model.loss, coordinate by coordinate, all instances at once."""
    grad = np.empty_like(params)
    for j in range(params.shape[1]):
        e = np.zeros(params.shape[1])
        e[j] = FD_STEP
        grad[:, j] = (model.loss(params + e) - model.loss(params - e)) / (2 * FD_STEP)
    return grad


def min_abs_preactivation(model, params):
    """Smallest nonzero |z| over the switching units, to keep finite differences off the
    kinks (z == 0 exactly only behind a fully dead layer, where no perturbation moves it)."""
    if isinstance(model, MLP):
        z, a = [], model.x
        for w in model.layout.split(params)[:-1]:
            pre = a @ np.swapaxes(w, -1, -2)
            z.append(np.abs(pre[pre != 0]).min())
            a = np.where(pre > 0, pre, 0.0 if model.activation == "relu" else model.slope * pre)
        return min(z) if z else np.inf
    return np.abs(model._preact(params)).min()


def assert_gradient_matches(model):
    params = model.params0
    fd = finite_difference_grad(model, params)
    assert np.allclose(model.grad(params), fd, rtol=1e-6, atol=1e-8 * np.abs(fd).max())


@pytest.mark.parametrize("activation", nc.ACTIVATIONS)
@pytest.mark.parametrize("depth", [1, 2, 4])
def test_mlp_gradient_matches_finite_differences(activation, depth):
    model = nc.mlp(depth=depth, width=5, input_dim=3, output_dim=2, n_samples=4, batch=3,
                   activation=activation, seed=depth)
    if depth > 1 and activation in ("relu", "leaky_relu"):
        assert min_abs_preactivation(model, model.params0) > 100 * FD_STEP
    assert_gradient_matches(model)


@given(depth=st.integers(1, 4), width=st.integers(1, 6), n=st.integers(1, 5),
       activation=st.sampled_from(["linear", "tanh"]), seed=st.integers(0, 2**16))
@settings(deadline=None)
def test_smooth_mlp_gradient_matches_finite_differences_for_any_size(depth, width, n, activation, seed):
    model = nc.mlp(depth=depth, width=width, input_dim=2, n_samples=n, batch=2,
                   activation=activation, seed=seed)
    assert_gradient_matches(model)


def test_ntk_gradient_matches_finite_differences():
    model = nc.ntk_two_layer(width=16, input_dim=3, n_samples=4, batch=2, seed=3)
    assert min_abs_preactivation(model, model.params0) > 100 * FD_STEP
    assert_gradient_matches(model)


def test_quadratic_gradient_and_minimum():
    rng = np.random.default_rng(0)
    q = rng.standard_normal((3, 4, 4))
    a = q @ np.swapaxes(q, 1, 2)
    model = nc.quadratic(a, rng.standard_normal((3, 4)), x0=rng.standard_normal((3, 4)))
    assert_gradient_matches(model)
    xstar = np.linalg.solve(a, model.b[..., None])[..., 0]
    assert np.allclose(model.loss(xstar), model.loss_star)
    assert np.allclose(model.grad(xstar), 0, atol=1e-10)


@pytest.mark.parametrize("activation", ["tanh", "leaky_relu"])
def test_additive_gradient_matches_finite_differences(activation):
    model = nc.additive(n_samples=6, dim_x=3, dim_u=2, activation=activation, batch=2, seed=1)
    if activation == "leaky_relu":
        u = model.layout.split(model.params0)[1]
        assert np.abs(np.einsum("bij,bj->bi", model.a2, u)).min() > 100 * FD_STEP
    assert_gradient_matches(model)


def test_loss_is_half_sum_of_squares_without_one_over_n():
    x = np.array([[[1.0], [2.0], [3.0]]])
    y = np.array([[[0.0], [0.0], [1.0]]])
    model = nc.mlp(depth=1, width=1, input_dim=1, n_samples=3, activation="linear",
                   x=x, y=y, params0=np.array([[2.0]]))
    # f = 2x = (2, 4, 6): 1/2 (4 + 16 + 25)
    assert model.loss(model.params0)[0] == pytest.approx(22.5)


@pytest.mark.parametrize("build", [
    lambda: nc.mlp(depth=3, width=4, input_dim=2, n_samples=3, batch=2, seed=0),
    lambda: nc.ntk_two_layer(width=8, input_dim=2, n_samples=3, batch=2, seed=0, realizable=True),
    lambda: nc.additive(n_samples=4, dim_x=2, dim_u=2, batch=2, seed=0),
], ids=["mlp", "ntk", "additive"])
def test_realizable_targets_give_zero_loss_star_and_positive_initial_loss(build):
    model = build()
    assert np.all(model.loss_star == 0)
    assert np.all(model.loss(model.params0) > 0)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_frozen_gradient_equals_gradient_on_its_own_piece_and_flags_other_pieces(activation):
    model = nc.mlp(depth=3, width=4, input_dim=3, n_samples=5, batch=3, activation=activation, seed=2)
    params = model.params0
    pattern = model.pattern(params)
    grad, mismatch = model._grad_frozen(params, pattern)
    assert np.array_equal(grad, model.grad(params)) and not mismatch.any()
    flipped = pattern.copy()
    flipped[1, 0] = ~flipped[1, 0]
    grad_f, mismatch_f = model._grad_frozen(params, flipped)
    assert mismatch_f.tolist() == [False, True, False]
    assert not np.allclose(grad_f[1], grad[1]) and np.array_equal(grad_f[[0, 2]], grad[[0, 2]])


def test_take_selects_instances():
    model = nc.ntk_two_layer(width=8, input_dim=3, n_samples=4, batch=4, seed=0)
    sub = model.take(np.array([3, 1]))
    assert np.allclose(sub.grad(sub.params0), model.grad(model.params0)[[3, 1]])


def test_ntk_jacobian_matches_finite_differences_of_outputs():
    model = nc.ntk_two_layer(width=6, input_dim=3, n_samples=4, batch=2, seed=5)
    p = model.params0
    jac = model.jacobian(p)
    j = 7
    e = np.zeros(p.shape[1])
    e[j] = FD_STEP
    fd = (model.outputs(p + e) - model.outputs(p - e)) / (2 * FD_STEP)
    assert np.allclose(jac[:, :, j], fd, atol=1e-8)


@pytest.mark.parametrize("call, match", [
    (lambda: nc.mlp(depth=0, width=2, input_dim=2, n_samples=2), r"depth=0: must be an integer >= 1"),
    (lambda: nc.mlp(depth=2, width=0, input_dim=2, n_samples=2), r"width=0"),
    (lambda: nc.mlp(depth=2, width=2, input_dim=2, n_samples=2, activation="gelu"), r"activation='gelu'"),
    (lambda: nc.quadratic(-np.eye(2)[None], x0=np.zeros((1, 2))), r"positive semidefinite.*require_psd"),
    (lambda: nc.ntk_two_layer(width=2, input_dim=2, n_samples=2, a=np.array([[1.0, 0.5]])), r"\+1 or -1"),
])
def test_invalid_parameters_name_value_and_condition(call, match):
    with pytest.raises(nc.InvalidParameter, match=match):
        call()
