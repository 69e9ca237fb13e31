"""One test per encoded step (ids ``derivation:label``): the computed verdict equals the recorded one.

The expected verdicts live next to the steps (``Step.expect``, ``Correction.expect``); a change
in either the encoding or the checker that alters a verdict fails here and is a reviewed change.
"""

from __future__ import annotations

import pytest

import derivations
from derivations import PROVED, REFUTED

CASES = [(d, s) for d in derivations.ALL for s in d.steps]


@pytest.mark.parametrize("derivation,step", CASES, ids=[f"{d.id}:{s.label}" for d, s in CASES])
def test_step_verdict_matches_recorded(derivation, step):
    result = derivation.check_step(step.label)
    assert result.verdict.status == step.expect, (
        f"{derivation.id}:{step.label} computed {result.verdict.status} ({result.verdict.evidence}); "
        f"recorded {step.expect}. You can test this with: derivcheck show {derivation.id} --step '{step.label}'")
    if step.correction is not None:
        assert result.correction is not None
        assert result.correction.status == step.correction.expect, (
            f"{derivation.id}:{step.label} correction computed {result.correction.status} "
            f"({result.correction.evidence}); recorded {step.correction.expect}")


@pytest.mark.parametrize("derivation", derivations.ALL, ids=[d.id for d in derivations.ALL])
def test_derivation_is_documented_and_consistent(derivation):
    doc = derivation.doc
    for section in ("Setting", "Claim", "Steps", "References"):
        assert section in doc, f"{derivation.id}: docstring lacks a {section!r} section (STYLE.md item 1)"
    names = [s.name for s in derivation.steps]
    assert len(set(names)) == len(names), "step names must be unique"
    for s in derivation.steps:
        if s.expect == REFUTED or s.finding in ("slip", "error"):
            assert s.note, f"{derivation.id}:{s.label}: a finding needs a note for the reader"
        if s.expect == "inconclusive":
            assert s.note, f"{derivation.id}:{s.label}: an inconclusive step needs a written reason"
        if s.finding in ("slip", "error") and s.expect == REFUTED:
            assert s.correction is not None, f"{derivation.id}:{s.label}: refuted step without a correction"
        if s.finding == "gap":
            assert s.expect != PROVED, f"{derivation.id}:{s.label}: a gap cannot be proved by its own justification"


def test_registry_lists_each_module_once_and_get_finds_it():
    ids = derivations.ids()
    assert len(set(ids)) == len(ids)
    assert "su_boyd_candes_energy" in ids
    for i in ids:
        assert derivations.get(i).id == i


def test_unknown_id_lists_known_ones():
    with pytest.raises(derivations.UnknownName, match="su_boyd_candes_energy"):
        derivations.get("no_such_derivation")


def test_unknown_step_label_lists_known_ones():
    d = derivations.get("su_boyd_candes_energy")
    with pytest.raises(derivations.UnknownName, match=r"\(2\.1\)"):
        d.step("(99)")


def test_report_forms():
    d = derivations.get("su_boyd_candes_energy")
    rep = d.check("(2.3)")
    text = str(rep)
    assert "(2.3)" in text and "proved" in text
    js = rep.to_json()
    assert set(js) >= {"id", "title", "source", "steps"}
    step = js["steps"][0]
    assert set(step) >= {"label", "name", "claim", "status", "tier", "evidence", "correction"}
    assert step["status"] == PROVED
    assert "<table>" in rep._repr_html_()
    assert rep._repr_latex_().startswith("$$")
