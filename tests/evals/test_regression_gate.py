"""The regression gate: rules-engine scores on dev/train splits must not fall below evals/baseline.json.

Raising the baseline is deliberate: `clientloop eval baseline --write`, then commit the file.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from evals.baseline import TOLERANCE, compare, load_baseline, score_dataset
from evals.runner import BASELINE_SPLITS, data_available
from tests.eval_data import REQUIRE_ENV, eval_data_required, missing_eval_data

BASELINE = load_baseline()


@pytest.mark.parametrize("name", list(BASELINE_SPLITS))
def test_scores_do_not_fall_below_baseline(name: str) -> None:
    if name not in BASELINE:
        missing_eval_data(f"{name} has no baseline yet: run `clientloop eval baseline --write`")
    why = data_available(name)
    if why:
        missing_eval_data(f"{name}: {why}")
    drops = compare({name: BASELINE[name]}, {name: score_dataset(name)}, tolerance=TOLERANCE)
    assert not drops, "scores fell below evals/baseline.json:\n" + "\n".join(drops)


def test_compare_flags_drops_and_lost_metrics_only() -> None:
    baseline = {"d": {"a": 0.8, "b": 0.5, "c": 0.9}}
    now = {"d": {"a": 0.797, "b": 0.49, "c": None}}
    drops = compare(baseline, now, tolerance=0.005)  # type: ignore[arg-type]
    assert len(drops) == 2 and drops[0].startswith("d.b") and "not computed" in drops[1]
    assert compare(baseline, {"d": {"a": 0.9, "b": 0.6, "c": 0.95}}) == []


def test_missing_data_skips_with_the_dataset_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="banking77.*not present"):
        missing_eval_data("banking77: /nowhere/banking77 is not present")


def test_missing_data_fails_when_ci_requires_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    assert eval_data_required()
    with pytest.raises(pytest.fail.Exception, match="banking77"):
        missing_eval_data("banking77: /nowhere/banking77 is not present")


def test_ci_requires_the_evaluation_data() -> None:
    from pathlib import Path

    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert f"export {REQUIRE_ENV}=1" in ci


def test_cli_baseline_names_missing_data_and_exits_non_zero(tmp_path) -> None:
    from clientloop.cli import app

    result = CliRunner().invoke(app, ["eval", "baseline", "--data-dir", str(tmp_path), "--only", "banking77",
                                      "--only", "enron-email-intent"])
    assert result.exit_code == 2
    assert "banking77" in result.output and "enron-email-intent" in result.output
    assert "no score below the baseline" not in result.output.lower()


def test_cli_baseline_refuses_an_unknown_dataset() -> None:
    from clientloop.cli import app

    result = CliRunner().invoke(app, ["eval", "baseline", "--only", "nope"])
    assert result.exit_code == 2


def test_cli_baseline_write_only_keeps_the_other_datasets(tmp_path, monkeypatch) -> None:
    import json

    from clientloop.cli import app
    from evals import baseline

    path = tmp_path / "baseline.json"
    baseline.save_baseline({"fs-fresh": {"action_f1": 0.5}, "banking77": {"flag_precision": 0.7}}, path)
    monkeypatch.setattr(baseline, "BASELINE_FILE", path)
    monkeypatch.setattr(baseline, "compute_scores", lambda **_: ({"fs-fresh": {"action_f1": 0.9}}, {}))
    result = CliRunner().invoke(app, ["eval", "baseline", "--write", "--only", "fs-fresh"])
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text())["scores"] == {"fs-fresh": {"action_f1": 0.9},
                                                      "banking77": {"flag_precision": 0.7}}
