"""``derivcheck bound``: exit codes (0 holds, 1 refuted, 2 bad input, 3 inconclusive), one-line
errors for malicious or malformed input (fast, nothing executed), JSON output, a replay
command that reproduces the counterexample, and the same answer with --workers 2."""

from __future__ import annotations

import io
import json
import shlex
import time

import pytest

from derivations._cli import main

BASE = ["--model", "mlp", "--depth", "2:3", "--width", "2:3", "--samples", "3",
        "--input-dim", "2", "--t-max", "2", "--examples", "8"]


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_holds_exit_0():
    code, out, err = run("bound", "H <= H0", "--dynamics", "nag", "--realizable",
                         "--activation", "linear", *BASE)
    assert code == 0, err
    assert out.startswith("holds_numerically: H <= H0")
    assert "worst margin" in out


def test_refuted_exit_1_and_replay_reproduces():
    code, out, err = run("bound", "L <= L0/2", "--dynamics", "hb", "--damping", "0.5:2",
                         "--activation", "linear", *BASE, "--shrink-groups", "8")
    assert code == 1, err
    assert out.startswith("refuted: L <= L0/2")
    line = next(l for l in out.splitlines() if l.strip().startswith("replay:"))
    argv = shlex.split(line.split("replay:", 1)[1])
    assert argv[:2] == ["derivcheck", "bound"] and "--data-seed" in argv
    code2, out2, _ = run(*argv[1:])
    assert code2 == 1
    assert "1 instance (replay" in out2


def test_json_output_and_same_answer_with_workers():
    args = ["bound", "alpha(1) == at0(alpha(1))", "--dynamics", "gf", "--activation",
            "linear", *BASE, "--seed", "3", "--json"]
    code1, out1, _ = run(*args)
    code2, out2, _ = run(*args, "--workers", "2")
    assert code1 == code2 == 0
    d1, d2 = json.loads(out1), json.loads(out2)
    d1.pop("seconds"), d2.pop("seconds")
    assert d1 == d2
    assert d1["status"] == "holds_numerically" and d1["n_instances"] >= 4


def test_the_four_readme_examples_run():
    for expr in ("alpha(1) - at0(alpha(1)) <= H0*t**2/2",
                 "layersum(abs(alpha(h))) - layersum(abs(at0(alpha(h)))) <= H0*t**2/2",
                 "H <= H0", "L <= 2*at0(norm2(1))/t**2"):
        code, out, err = run("bound", expr, "--dynamics", "nag", "--realizable", "--activation",
                             "linear", "--model", "mlp", "--depth", "2:3", "--width", "2",
                             "--samples", "3", "--t-max", "2", "--examples", "4", "--json")
        assert code in (0, 1, 3), err
        d = json.loads(out)
        assert d["bound"] == expr and d["n_instances"] >= 1 and not d["errors"]


@pytest.mark.parametrize("expr", [
    "__import__('os').system('true')", "().__class__", "(lambda: 1)()", "9**9**9",
    "L" * 100_000, "(L <= H0", "L <= H0)", "Delta <= L0",
])
def test_malicious_or_malformed_expression_exit_2(expr, tmp_path):
    start = time.perf_counter()
    code, out, err = run("bound", expr, "--dynamics", "gf", "--model", "quadratic")
    assert time.perf_counter() - start < 1.0
    assert code == 2 and out == ""
    assert err.startswith("derivcheck: error: bound") and err.count("\n") == 1


def test_expression_is_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    code, _, err = run("bound", f"L <= __import__('os').system('touch {marker}')",
                       "--dynamics", "gf", "--model", "quadratic")
    assert code == 2 and not marker.exists()


@pytest.mark.parametrize("argv, fragment", [
    (["--dynamics", "nag", "--gamma", "0", "--model", "mlp"], "gamma"),
    (["--dynamics", "nag", "--gamma", "-3", "--model", "mlp"], "gamma"),
    (["--dynamics", "gf", "--model", "mlp", "--width", "-2"], "width"),
    (["--dynamics", "gf", "--model", "mlp", "--t-max", "0"], "t_max"),
    (["--dynamics", "gf", "--model", "mlp", "--t-max", "-1"], "t_max"),
    (["--dynamics", "gf", "--model", "mlp", "--depth", "x"], "depth"),
    (["--dynamics", "gf", "--model", "mlp", "--depth", "5:2"], "lo <= hi"),
    (["--dynamics", "gf", "--model", "mlp", "--workers", "0"], "workers"),
    (["--dynamics", "sgd", "--model", "mlp"], "invalid choice"),
    (["--model", "mlp"], "--dynamics"),
])
def test_invalid_parameters_exit_2(argv, fragment):
    code, out, err = run("bound", "L <= L0", *argv)
    assert code == 2 and out == ""
    assert fragment in err and err.count("\n") == 1


def test_alpha_with_depth_1_exit_2():
    code, _, err = run("bound", "alpha(1) <= H0", "--dynamics", "gf", "--model", "mlp",
                       "--depth", "1", "--realizable")
    assert code == 2 and "depth must be >= 2" in err


def test_inconclusive_exit_3():
    # exact conservation written as a one-sided bound with zero slack: violations are at the
    # level of integration noise, never confirmed -> neither holds nor refuted
    code, out, err = run("bound", "alpha(1) - at0(alpha(1)) <= 0", "--dynamics", "gf",
                         "--activation", "linear", *BASE, "--seed", "2")
    assert code == 3, out
    assert out.startswith("inconclusive") and "not confirmed" in out
