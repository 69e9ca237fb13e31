"""Numeric half of derivcheck: batched models, dynamics, per-instance-accurate integration
and trajectory quantities.  Everything public is re-exported here; modules are private.

Conventions (see each docstring): parameters are flat per instance, shape (B, P), split by
``model.layout``; L = 1/2 sum_i |f(x_i) - y_i|^2 (no 1/n); time starts at 0.
"""

from ._dynamics import (gd, gradient_flow, heavy_ball, heavy_ball_discrete, higher_order,
                        nesterov, nesterov_discrete)
from ._errors import DerivcheckError, InvalidParameter
from ._integrate import METHODS, STATUSES
from ._models import ACTIVATIONS, Layout, additive, mlp, ntk_two_layer, quadratic
from ._quantities import (QUANTITIES, error, h0, hamiltonian, imbalances, kinetic,
                          lambdify_on, layer_norms_sq, loss, ntk_gram, ntk_lambda_min)
from ._simulate import Confirmation, Trajectory, confirm, simulate
from ._bound import BoundReport, check_bound
from ._bound_lang import parse_bound

__all__ = [
    "ACTIVATIONS", "METHODS", "QUANTITIES", "STATUSES",
    "Confirmation", "DerivcheckError", "InvalidParameter", "Layout", "Trajectory",
    "additive", "confirm", "error", "gd", "gradient_flow", "h0", "hamiltonian", "heavy_ball",
    "heavy_ball_discrete", "higher_order", "imbalances", "kinetic", "lambdify_on",
    "layer_norms_sq", "loss", "mlp", "nesterov", "nesterov_discrete", "ntk_gram",
    "ntk_lambda_min", "ntk_two_layer", "quadratic", "simulate",
    "BoundReport", "check_bound", "parse_bound",
]
