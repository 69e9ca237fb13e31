"""``derivcheck bound EXPR ...``: the command line of :func:`numeric_checks.check_bound`.

Exit codes: 0 the bound holds on every instance searched, 1 refuted (a confirmed, minimal
counterexample with its replay command), 2 bad input (a one-line message), 3 inconclusive
(unconfirmed violations, or trajectories that stopped early: neither holds nor refuted).
"""

from __future__ import annotations

import sys
import time

from derivations import DerivcheckError, InvalidParameter

EXIT_HOLDS, EXIT_REFUTED, EXIT_USAGE, EXIT_INCONCLUSIVE = 0, 1, 2, 3

_INTS = ("depth", "width", "samples", "input_dim")
_FLOATS = ("gamma", "damping", "t_max")


def add_parser(sub) -> None:
    """Add the ``bound`` subcommand to the ``derivcheck`` subparsers ``sub``."""
    p = sub.add_parser(
        "bound", help="search simulated trajectories for a violation of a bound",
        description="Search simulated trajectories for a violation of EXPR, a bound in the "
                    "whitelisted bound language (see README, 'Checking a new bound'). Numeric "
                    "options take a value or a range lo:hi from which hypothesis draws. Exit "
                    "0 holds, 1 refuted, 2 bad input, 3 inconclusive.")
    p.add_argument("expr", metavar="EXPR", help="the bound, e.g. 'H <= H0'")
    p.add_argument("--dynamics", required=True, choices=("gf", "hb", "nag"),
                   help="gf gradient flow, hb heavy ball W''+bW'+grad L=0, nag W''+(gamma/t)W'+grad L=0")
    p.add_argument("--gamma", default="3", help="nag: gamma (default 3)")
    p.add_argument("--damping", default="1", metavar="B", help="hb: damping b (default 1)")
    p.add_argument("--model", required=True, choices=("mlp", "ntk", "quadratic"))
    p.add_argument("--activation", default="relu",
                   help="mlp activation: linear, relu, leaky_relu, tanh; a comma list lets "
                        "hypothesis choose (default relu)")
    p.add_argument("--depth", default="3", metavar="K", help="mlp layers K (default 3)")
    p.add_argument("--width", default="4", metavar="M",
                   help="hidden width (mlp), m (ntk) or dimension (quadratic) (default 4)")
    p.add_argument("--samples", default="4", metavar="N", help="data points (default 4)")
    p.add_argument("--input-dim", default="3", metavar="D", help="input dimension (default 3)")
    p.add_argument("--t-max", default="5", metavar="T", help="horizon (default 5)")
    p.add_argument("--realizable", action="store_true",
                   help="teacher targets of the same architecture, so L* = 0")
    p.add_argument("--examples", type=int, default=48, metavar="N",
                   help="instances in the search phase (default 48)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="hypothesis seed (default 0)")
    p.add_argument("--data-seed", type=int, default=None, metavar="D",
                   help="replay exactly one instance (every other option fixed)")
    p.add_argument("--rtol", type=float, default=1e-8, help="integration tolerance (default 1e-8)")
    p.add_argument("--workers", type=int, default=1, metavar="W",
                   help="processes for independent instances (default 1; same answer)")
    p.add_argument("--shrink-groups", type=int, default=16, metavar="G",
                   help="at most G groups of 4 instances while shrinking a counterexample "
                        "(default 16)")
    p.add_argument("--json", action="store_true", help="print the BoundReport as JSON")
    p.set_defaults(handler=_cmd_bound)


def _number(name, text, kind):
    try:
        return kind(text)
    except ValueError:
        raise InvalidParameter(name, text, f"must be {'an integer' if kind is int else 'a number'}"
                               " or a range lo:hi") from None


def _spec(name, text, kind):
    text = str(text).strip()
    if ":" in text:
        lo, _, hi = text.partition(":")
        return (_number(name, lo, kind), _number(name, hi, kind))
    return _number(name, text, kind)


def _scenario(args) -> dict:
    sc = dict(dynamics=args.dynamics, model=args.model, realizable=args.realizable)
    for k in _INTS:
        sc[k] = _spec(k, getattr(args, k), int)
    for k in _FLOATS:
        sc[k] = _spec(k, getattr(args, k), float)
    acts = tuple(a.strip() for a in args.activation.split(",") if a.strip())
    sc["activation"] = acts if len(acts) > 1 else (acts[0] if acts else "")
    if args.data_seed is not None:
        sc["data_seed"] = args.data_seed
    return sc


class _Progress:
    """A progress bar on stderr, shown only once the search has run for more than a second."""

    def __init__(self, stream):
        self.stream = stream
        self.start = time.perf_counter()
        self.shown = False

    def __call__(self, done, planned):
        if time.perf_counter() - self.start < 1.0:
            return
        self.shown = True
        width = 30
        filled = min(width, int(width * done / max(planned, 1)))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done} instances, "
                          f"{time.perf_counter() - self.start:.0f} s")
        self.stream.flush()

    def close(self):
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _cmd_bound(args, out) -> int:
    from . import _errors
    from ._bound import check_bound
    from ._bound_lang import parse_bound

    if args.workers < 1:
        raise InvalidParameter("workers", args.workers, "must be an integer >= 1")
    if args.examples < 1:
        raise InvalidParameter("examples", args.examples, "must be an integer >= 1")
    if args.shrink_groups < 0:
        raise InvalidParameter("shrink-groups", args.shrink_groups, "must be an integer >= 0")
    bound = parse_bound(args.expr)  # rejects bad text before any other work
    scenario = _scenario(args)
    progress = _Progress(sys.stderr)
    executor = None
    try:
        if args.workers > 1:
            from concurrent.futures import ProcessPoolExecutor
            executor = ProcessPoolExecutor(args.workers)
        report = check_bound(bound, scenario=scenario, examples=args.examples, seed=args.seed,
                             executor=executor, rtol=args.rtol, progress=progress,
                             max_shrink_groups=args.shrink_groups)
    except _errors.DerivcheckError as exc:  # numeric_checks' own exception family
        raise DerivcheckError(str(exc)) from None
    finally:
        progress.close()
        if executor is not None:
            executor.shutdown()
    if args.json:
        out.write(report.to_json_text() + "\n")
    else:
        out.write(str(report) + "\n")
    return {"holds_numerically": EXIT_HOLDS, "refuted": EXIT_REFUTED}.get(report.status,
                                                                          EXIT_INCONCLUSIVE)
