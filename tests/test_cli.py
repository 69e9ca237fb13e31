"""The command line: list, show, audit, JSON, and one-line errors with exit code 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from derivations._cli import main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_list_names_every_derivation():
    import derivations

    code, out, _ = run("list")
    assert code == 0
    for i in derivations.ids():
        assert i in out


def test_show_one_step_json_has_design_shape():
    code, out, _ = run("show", "su_boyd_candes_energy", "--step", "(2.3)", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == "su_boyd_candes_energy"
    assert [s["label"] for s in data["steps"]] == ["(2.3)"]
    assert data["steps"][0]["status"] == "proved"
    assert data["steps"][0]["correction"] is None


def test_show_text_single_step_includes_rule_and_replay():
    code, out, _ = run("show", "su_boyd_candes_energy", "--step", "(2.6)")
    assert code == 0
    assert "rule: comparison" in out and "replay: derivcheck show" in out


@pytest.mark.parametrize("argv,needle", [
    (("show", "nope"), "unknown derivation id 'nope'"),
    (("show", "su_boyd_candes_energy", "--step", "(99)"), "unknown step label"),
    (("bogus",), "invalid choice"),
    (("show",), "required"),
    (("audit", "--frobnicate"), "unrecognized arguments"),
    ((), "required"),
])
def test_bad_input_exits_2_with_one_line(argv, needle):
    code, out, err = run(*argv)
    assert code == 2
    assert needle in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_python_dash_m_entry_point_reports_bad_input_without_traceback():
    proc = subprocess.run([sys.executable, "-m", "derivations", "show", "nope"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "unknown derivation id" in proc.stderr


def test_audit_json_reports_counts_and_no_mismatch(monkeypatch):
    # the full audit is CI's README command 1 and every step has its own test in test_derivations.py;
    # here the CLI path is exercised on the worked example only
    import derivations
    from derivations import _registry

    only = tuple(d for d in derivations.ALL if d.id == "su_boyd_candes_energy")
    monkeypatch.setattr(_registry, "all_derivations", lambda: only)
    code, out, _ = run("audit", "--json")
    data = json.loads(out)
    assert code == 0 and data["mismatches"] == []
    assert [d["id"] for d in data["derivations"]] == ["su_boyd_candes_energy"]
    counts = data["summary"]["su_boyd_candes_energy"]
    assert sum(counts.values()) == len(only[0].steps) and counts["cited"] == 1


def test_audit_exits_1_when_a_computed_verdict_differs(monkeypatch):
    import dataclasses

    import derivations
    from derivations import _registry

    d = derivations.get("su_boyd_candes_energy")
    wrong = dataclasses.replace(d.steps[2], expect="refuted")  # (2.3) is proved
    fake = type(d).__new__(type(d))
    fake.__dict__.update(d.__dict__)
    fake.steps = (wrong,)
    fake._steps = {**d._steps, wrong.label: wrong}
    fake._results = {}
    monkeypatch.setattr(_registry, "all_derivations", lambda: (fake,))
    code, out, _ = run("audit")
    assert code == 1
    assert "differ from the recorded" in out and "(2.3)" in out
