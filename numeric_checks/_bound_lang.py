"""The bound language: a whitelisted subset of Python expression syntax over trajectory
quantities, parsed with :mod:`ast` and compiled to a tree of closures over NumPy arrays.

Nothing in here calls ``eval``, ``exec``, ``compile`` or ``sympify``: the text is parsed by
``ast.parse(..., mode="eval")``, every node is checked against a whitelist, and each accepted
node becomes a small Python closure.  Rejections raise :class:`BoundError` (a
``DerivcheckError``) whose one-line message names the offending part and its column.

Grammar (everything else is rejected)::

    bound    := expr (cmp expr)+              cmp in  <=  >=  <  >  ==   (a chain is allowed)
    expr     := number | name | expr op expr | -expr | +expr | func(expr, ...) | (expr)
    op       := + - * / **                    (a constant exponent must satisfy |p| <= 64)
    name     := t K L Lstar L0 H H0 kinetic gamma b Delta Lhat lambda0 lammin_H   (h inside layersum)
    func     := abs sqrt exp log min max at0 layersum norm2 vnorm2 alpha

``norm2(i)``, ``vnorm2(i)`` and ``alpha(i)`` take a *layer index*: an integer expression in
``h`` (only inside ``layersum``), ``K`` and integer literals with ``+ - *``.  Layers are
numbered from 1 at the input.  ``==`` holds where |l - r| <= eq_tol (1 + |l| + |r|).
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

import numpy as np

from derivations import DerivcheckError

MAX_CHARS = 2000
MAX_DEPTH = 40
MAX_EXPONENT = 64
MAX_LITERAL = 1e12
MAX_NODES = 400

NAMES = {
    "t": "time",
    "K": "number of trained layers (weight blocks)",
    "L": "loss L(W(t)) = 1/2 sum_i |f(x_i) - y_i|^2",
    "Lstar": "L* (0 for realizable targets)",
    "L0": "L at t = 0",
    "H": "Hamiltonian 1/2 |W'|^2 + L - L*",
    "H0": "H at t = 0",
    "kinetic": "1/2 |W'|^2",
    "gamma": "Nesterov flow's gamma (dynamics nag)",
    "b": "heavy-ball damping (dynamics hb)",
    "Delta": "|Delta|_2, Euclidean norm of the error f(X) - y (ntk model)",
    "Lhat": "1/2 Delta^T H(t) Delta with the NTK Gram matrix H(t) (ntk model)",
    "lambda0": "lambda_min of H-infinity (ntk model)",
    "lammin_H": "lambda_min of the NTK Gram matrix H(t) (ntk model)",
}
"""Every name the language knows, with its meaning (``h`` is the layersum index)."""

MODEL_NAMES = {"Delta": ("ntk",), "Lhat": ("ntk",), "lambda0": ("ntk",), "lammin_H": ("ntk",)}
DYNAMICS_NAMES = {"gamma": ("nag",), "b": ("hb",)}
LOSS_STAR_NAMES = ("Lstar", "H", "H0")

_UNARY = {"abs": np.abs, "sqrt": np.sqrt, "exp": np.exp, "log": np.log}
_VARIADIC = {"min": np.minimum, "max": np.maximum}
_LAYER = ("norm2", "vnorm2", "alpha")
FUNCTIONS = tuple(_UNARY) + tuple(_VARIADIC) + ("at0", "layersum") + _LAYER

_BINOPS = {ast.Add: ("+", np.add), ast.Sub: ("-", np.subtract), ast.Mult: ("*", np.multiply),
           ast.Div: ("/", np.divide), ast.Pow: ("**", np.power)}
_CMPS = {ast.LtE: "<=", ast.GtE: ">=", ast.Lt: "<", ast.Gt: ">", ast.Eq: "=="}


class BoundError(DerivcheckError, ValueError):
    """A bound expression outside the language (the message names the offending part)."""


@dataclass
class _Info:
    """What the compiled bound needs: names, layer indices (with context), functions."""

    names: set = field(default_factory=set)
    layer_refs: list = field(default_factory=list)  # (func, index_fn, in_layersum, text)
    uses_layersum: bool = False


class Bound:
    """A parsed bound: ``evaluate(ctx)`` returns (margin, violated) arrays.

    ``margin`` >= 0 where the bound holds (for a chain, the smallest link margin);
    ``violated`` is True where a link fails (``<``/``>`` fail at margin 0 too).
    """

    def __init__(self, text: str, links, info: _Info, eq_tol: float):
        self.text = text
        self._links = links
        self.info = info
        self.eq_tol = eq_tol

    @property
    def names(self) -> frozenset:
        return frozenset(self.info.names)

    def __repr__(self) -> str:
        return f"Bound({self.text!r})"

    def validate(self, *, model: str, dynamics: str, depths, loss_star_known: bool = True) -> None:
        """Raise :class:`BoundError` if the bound names something the scenario lacks."""
        for name in sorted(self.info.names):
            if name in MODEL_NAMES and model not in MODEL_NAMES[name]:
                raise BoundError(f"bound: {name!r} ({NAMES[name]}) is not defined for model "
                                 f"{model!r}; it needs model {' or '.join(MODEL_NAMES[name])}")
            if name in DYNAMICS_NAMES and dynamics not in DYNAMICS_NAMES[name]:
                raise BoundError(f"bound: {name!r} ({NAMES[name]}) is not defined for dynamics "
                                 f"{dynamics!r}; it needs dynamics {' or '.join(DYNAMICS_NAMES[name])}")
            if name in LOSS_STAR_NAMES and not loss_star_known:
                raise BoundError(f"bound: {name!r} needs L*, which is unknown for non-realizable "
                                 f"{model!r} targets; use realizable targets (--realizable)")
        for k in depths:
            self.check_layers(k)

    def check_layers(self, k: int) -> None:
        """Every layer index must be valid for K = k (norm2/vnorm2: 1..K, alpha: 1..K-1)."""
        if self.info.uses_layersum and k < 2:
            raise BoundError(f"bound: layersum sums over h = 1..K-1 and needs K >= 2 layers "
                             f"(the model has K = {k})")
        for func, index, in_sum, text in self.info.layer_refs:
            top = k - 1 if func == "alpha" else k
            for h in (range(1, k) if in_sum else (None,)):
                i = index(_IndexEnv(h, k))
                if not 1 <= i <= top:
                    where = f" at h = {h}" if in_sum else ""
                    need = "alpha(i) needs 1 <= i <= K-1" if func == "alpha" else \
                        f"{func}(i) needs 1 <= i <= K"
                    raise BoundError(f"bound: {text!r} refers to layer {i}{where}, but the model "
                                     f"has K = {k} layers ({need}; depth must be >= "
                                     f"{i + 1 if func == 'alpha' else i})")

    def evaluate(self, ctx, *, with_scale: bool = False):
        """(margin, violated), each broadcast to ``ctx.shape``; with ``with_scale`` also the
        scale max over links of |lhs| + |rhs| (the size against which accuracy is judged)."""
        margins, violated, scales = [], [], []
        with np.errstate(all="ignore"):
            values = [self._links[0](ctx)]
            for op, right in self._links[1:]:
                values.append(right(ctx))
            for i, op in enumerate(op for op, _ in self._links[1:]):
                lhs, rhs = values[i], values[i + 1]
                if op in ("<=", "<"):
                    m = rhs - lhs
                elif op in (">=", ">"):
                    m = lhs - rhs
                else:
                    m = self.eq_tol * (1.0 + np.abs(lhs) + np.abs(rhs)) - np.abs(lhs - rhs)
                m = np.broadcast_to(np.asarray(m, dtype=float), ctx.shape)
                margins.append(m)
                scales.append(np.broadcast_to(np.abs(lhs) + np.abs(rhs), ctx.shape))
                violated.append(m <= 0 if op in ("<", ">") else m < 0)
        margin = np.minimum.reduce(margins)
        bad = np.logical_or.reduce(violated)
        nan = np.isnan(margin)
        if with_scale:
            return margin, np.where(nan, False, bad), np.maximum.reduce(scales)
        return margin, np.where(nan, False, bad)


class _IndexEnv:
    def __init__(self, h, k):
        self.h, self.K = h, k


def _fail(node, text: str, why: str):
    seg = ast.get_source_segment(text, node) if hasattr(node, "col_offset") else None
    where = f" at column {node.col_offset + 1}" if hasattr(node, "col_offset") else ""
    shown = f" {seg!r}" if seg is not None else ""
    raise BoundError(f"bound: {why}{where}:{shown}" if shown else f"bound: {why}{where}")


def parse_bound(text: str, *, eq_tol: float = 1e-6) -> Bound:
    """Parse ``text`` into a :class:`Bound`; raise :class:`BoundError` on anything outside
    the language (length, syntax, node types, names, arities, exponents, depth)."""
    if not isinstance(text, str):
        raise BoundError(f"bound: must be text, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise BoundError(f"bound: the expression is {len(text)} characters long; at most "
                         f"{MAX_CHARS} are accepted")
    if not text.strip():
        raise BoundError("bound: the expression is empty")
    if not (isinstance(eq_tol, (int, float)) and 0 < eq_tol < 1):
        raise BoundError(f"bound: eq_tol={eq_tol!r} must be in (0, 1)")
    if any(ch in text for ch in "\n\r\x00"):
        raise BoundError("bound: the expression must be a single line")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        col = f" at column {exc.offset}" if exc.offset else ""
        raise BoundError(f"bound: syntax error{col}: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise BoundError(f"bound: cannot parse the expression ({type(exc).__name__})") from None
    text = text.strip()
    n_nodes = sum(1 for _ in ast.walk(tree))
    if n_nodes > MAX_NODES:
        raise BoundError(f"bound: the expression has {n_nodes} syntax nodes; at most {MAX_NODES}")
    body = tree.body
    info = _Info()
    c = _Compiler(text, info)
    if not isinstance(body, ast.Compare):
        c.expr(body, 1)  # names the first forbidden part, if any
        _fail(body, text, "a bound must be a comparison such as 'lhs <= rhs'")
    links = [c.expr(body.left, 1)]
    for op, right in zip(body.ops, body.comparators):
        if type(op) not in _CMPS:
            _fail(body, text, f"comparison operator {type(op).__name__} is not allowed "
                              "(use <= >= < > ==)")
        links.append((_CMPS[type(op)], c.expr(right, 1)))
    return Bound(text, links, info, float(eq_tol))


class _Compiler:
    def __init__(self, text: str, info: _Info):
        self.text = text
        self.info = info

    def _depth(self, node, depth):
        if depth > MAX_DEPTH:
            _fail(node, self.text, f"the expression is nested more than {MAX_DEPTH} levels deep")

    def const_value(self, node):
        """Value of a constant subtree in float64 (no Python big-int arithmetic), or None."""
        if isinstance(node, ast.Constant):
            return float(node.value) if _is_number(node.value) else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self.const_value(node.operand)
            return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            a, b = self.const_value(node.left), self.const_value(node.right)
            if a is None or b is None:
                return None
            with np.errstate(all="ignore"):
                return float(_BINOPS[type(node.op)][1](np.float64(a), np.float64(b)))
        return None

    def expr(self, node, depth, in_sum=False, in_at0=False):
        self._depth(node, depth)
        d = depth + 1
        if isinstance(node, ast.Constant):
            v = node.value
            if not _is_number(v):
                _fail(node, self.text, f"only numbers are allowed as constants (found "
                                       f"{type(v).__name__})")
            if not (math.isfinite(v) and abs(v) <= MAX_LITERAL):
                _fail(node, self.text, f"number literals must be finite with magnitude <= "
                                       f"{MAX_LITERAL:g}")
            value = float(v)
            return lambda ctx: value
        if isinstance(node, ast.Name):
            return self.name(node, in_sum)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                f = self.expr(node.operand, d, in_sum, in_at0)
                return lambda ctx: np.negative(f(ctx))
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand, d, in_sum, in_at0)
            _fail(node, self.text, f"unary operator {type(node.op).__name__} is not allowed")
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                _fail(node, self.text, f"operator {type(node.op).__name__} is not allowed "
                                       "(use + - * / **)")
            if isinstance(node.op, ast.Pow):
                self._check_exponent(node)
            fl = self.expr(node.left, d, in_sum, in_at0)
            fr = self.expr(node.right, d, in_sum, in_at0)
            op = _BINOPS[type(node.op)][1]
            return lambda ctx: op(fl(ctx), fr(ctx))
        if isinstance(node, ast.Call):
            return self.call(node, d, in_sum, in_at0)
        if isinstance(node, ast.Compare):
            _fail(node, self.text, "comparisons are allowed only at the top level of a bound")
        if isinstance(node, ast.Attribute):
            _fail(node, self.text, f"attribute access ('.{node.attr}') is not allowed")
        if isinstance(node, ast.Subscript):
            _fail(node, self.text, "subscripts ('[...]') are not allowed")
        if isinstance(node, ast.Lambda):
            _fail(node, self.text, "lambda is not allowed")
        _fail(node, self.text, f"{type(node).__name__} is not allowed in a bound")

    def _check_exponent(self, node):
        exp = node.right
        value = self.const_value(exp)
        has_name = any(isinstance(n, (ast.Name, ast.Call)) for n in ast.walk(exp))
        if value is None and not has_name:
            return  # rejected by the node walk with its own message
        if value is not None and not (math.isfinite(value) and abs(value) <= MAX_EXPONENT):
            _fail(node, self.text, f"constant exponents must satisfy |p| <= {MAX_EXPONENT} "
                                   f"(the exponent evaluates to {value:.3g})")
        # exponents that depend on quantities are evaluated in float64: they can overflow to
        # inf but never run Python big-integer arithmetic.

    def name(self, node, in_sum):
        n = node.id
        if n.startswith("__") or n.endswith("__"):
            _fail(node, self.text, f"dunder name {n!r} is not allowed")
        if n == "h":
            if not in_sum:
                _fail(node, self.text, "the layer index 'h' is only defined inside layersum(...)")
            _fail(node, self.text, "'h' is a layer index: use it inside norm2(h), vnorm2(h) or "
                                   "alpha(h)")
        if n in FUNCTIONS:
            _fail(node, self.text, f"{n!r} is a function: call it, e.g. {n}(...)")
        if n not in NAMES:
            _fail(node, self.text, f"unknown name {n!r}; known: {', '.join(NAMES)}")
        self.info.names.add(n)
        return lambda ctx: ctx.quantity(n)

    def call(self, node, d, in_sum, in_at0):
        func = node.func
        if not isinstance(func, ast.Name):
            _fail(node, self.text, "only calls of the whitelisted functions are allowed "
                                   f"({', '.join(FUNCTIONS)})")
        name = func.id
        if name.startswith("__") or name.endswith("__"):
            _fail(func, self.text, f"dunder name {name!r} is not allowed")
        if name not in FUNCTIONS:
            _fail(func, self.text, f"unknown function {name!r}; allowed: {', '.join(FUNCTIONS)}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            _fail(node, self.text, f"{name}() takes positional arguments only")
        args = node.args
        if name in _VARIADIC:
            if not 2 <= len(args) <= 16:
                _fail(node, self.text, f"{name}() takes 2 to 16 arguments, got {len(args)}")
            fs = [self.expr(a, d, in_sum, in_at0) for a in args]
            op = _VARIADIC[name]
            return lambda ctx: _reduce(op, [f(ctx) for f in fs])
        if len(args) != 1:
            _fail(node, self.text, f"{name}() takes exactly 1 argument, got {len(args)}")
        arg = args[0]
        if name in _UNARY:
            f = self.expr(arg, d, in_sum, in_at0)
            op = _UNARY[name]
            return lambda ctx: op(f(ctx))
        if name == "at0":
            f = self.expr(arg, d, in_sum, True)
            return lambda ctx: ctx.at0(f)
        if name == "layersum":
            if in_sum:
                _fail(node, self.text, "layersum(...) cannot be nested")
            self.info.uses_layersum = True
            f = self.expr(arg, d, True, in_at0)
            return lambda ctx: ctx.layersum(f)
        index = self.index(arg, d, in_sum)
        seg = ast.get_source_segment(self.text, node)
        self.info.layer_refs.append((name, index, in_sum, seg))
        return lambda ctx: ctx.layer(name, index(ctx))

    def index(self, node, depth, in_sum):
        """An integer layer-index expression: int literals, h (in layersum), K, + - *."""
        self._depth(node, depth)
        d = depth + 1
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int) \
                    or abs(node.value) > 10_000:
                _fail(node, self.text, "a layer index must be a small integer, h or K")
            v = int(node.value)
            return lambda env: v
        if isinstance(node, ast.Name):
            if node.id == "h":
                if not in_sum:
                    _fail(node, self.text, "the layer index 'h' is only defined inside "
                                           "layersum(...)")
                return lambda env: env.h
            if node.id == "K":
                self.info.names.add("K")
                return lambda env: env.K
            _fail(node, self.text, "a layer index may use only integers, h (inside layersum) "
                                   "and K")
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
            a, b = self.index(node.left, d, in_sum), self.index(node.right, d, in_sum)
            op = {ast.Add: int.__add__, ast.Sub: int.__sub__, ast.Mult: int.__mul__}[type(node.op)]
            return lambda env: op(a(env), b(env))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            a = self.index(node.operand, d, in_sum)
            return lambda env: -a(env)
        _fail(node, self.text, "a layer index must be an integer expression in h, K and "
                               "integer literals with + - *")


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _reduce(op, values):
    out = values[0]
    for v in values[1:]:
        out = op(out, v)
    return out
