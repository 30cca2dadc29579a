"""``modeling calibrate`` / ``modeling predict`` through a real subprocess (exit codes, one-line errors)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.services.calibration_io import REFERENCE_DIR, STEP_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
STEPS = str(REFERENCE_DIR / "steps_llama3.1-8b.csv")


def _modeling(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runners.cli", *argv], cwd=ROOT, capture_output=True, text=True, check=False, timeout=180
    )


def _inproc(capsys, *argv: str) -> subprocess.CompletedProcess[str]:
    """The same CLI in-process (cheaper than a subprocess; the exit code and stderr are identical)."""
    from runners.cli import main

    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse errors exit through the parser
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return subprocess.CompletedProcess(list(argv), code, out.out, out.err)


def _one_line_error(p: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "h200-cal.json"
    p = _modeling("calibrate", "--measurements", STEPS, "--hardware", "h200", "--out", str(out), "--json")
    assert p.returncode == 0, p.stderr
    return out, json.loads(p.stdout)


def test_calibrate_writes_a_profile_and_reports_factors(calibrated) -> None:
    out, doc = calibrated
    assert out.exists() and doc["method"] == "curves"
    assert doc["metrics"]["loo_mape"] <= 0.05 and doc["metrics"]["mape"] <= 0.03
    assert doc["baseline_metrics"]["mape"] > doc["metrics"]["mape"]
    names = {f["name"] for f in doc["factors"]}
    assert {"compute_scale", "memory", "kernel_overhead_us", "attention_decode_unit_gb_s"} <= names
    for f in doc["factors"]:
        assert {"value", "ci_low", "ci_high", "unit"} <= set(f)
    prof = json.loads(out.read_text())
    assert prof["kind"] == "calibrated" and prof["calibration"]["method"] == "curves"
    assert "steps_llama3.1-8b.csv (24 rows)" in prof["calibration"]["data"]


def test_predict_with_the_calibrated_profile_and_a_preset(calibrated) -> None:
    out, doc = calibrated
    p = _modeling("predict", "--measurements", STEPS, "--hardware", str(out), "--json")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert res["mape"] == pytest.approx(doc["metrics"]["mape"], rel=1e-6)
    row = res["rows"][0]
    assert {"predicted_ms", "measured_ms", "rel_error"} <= set(row)
    assert row["rel_error"] == pytest.approx(row["predicted_ms"] / row["measured_ms"] - 1)


def test_predict_spec_preset_and_text_output(calibrated, capsys) -> None:
    out, doc = calibrated
    spec = json.loads(_inproc(capsys, "predict", "--measurements", STEPS, "--hardware", "h200", "--json").stdout)
    assert spec["mape"] > doc["metrics"]["mape"]
    text = _inproc(capsys, "predict", "--measurements", STEPS, "--hardware", str(out))
    assert text.returncode == 0 and "MAPE" in text.stdout.splitlines()[-1]


def test_model_override_and_linear_method(tmp_path, capsys) -> None:
    f = tmp_path / "renamed.tsv"
    lines = (REFERENCE_DIR / "steps_llama3.1-8b.csv").read_text().splitlines()
    f.write_text("\n".join(ln.replace("llama3.1-8b", "my-model").replace(",", "\t") for ln in lines) + "\n")
    out = tmp_path / "lin.json"
    p = _inproc(
        capsys,
        "calibrate",
        "--measurements",
        str(f),
        "--hardware",
        "h200",
        "--model",
        "my-model=llama-3.1-8b",
        "--method",
        "linear",
        "--out",
        str(out),
    )
    assert p.returncode == 0, p.stderr
    assert "leave-one-out MAPE" in p.stdout and out.exists()


def test_bad_inputs_exit_2_with_one_line(tmp_path, capsys) -> None:
    out = str(tmp_path / "x.json")
    _one_line_error(
        _modeling("calibrate", "--measurements", str(tmp_path / "nope.csv"), "--hardware", "h200", "--out", out),
        "file not found",
    )
    bad_cols = tmp_path / "bad_cols.csv"
    bad_cols.write_text(
        ",".join(STEP_COLUMNS).replace("latency_ms", "latency") + "\nllama3.1-8b,H200,1,bf16,1,8,0,0,0,1\n"
    )
    _one_line_error(
        _inproc(capsys, "predict", "--measurements", str(bad_cols), "--hardware", "h200"),
        "missing column(s) latency_ms",
        "'latency' → 'latency_ms'",
    )
    neg = tmp_path / "neg.csv"
    neg.write_text(",".join(STEP_COLUMNS) + "\nllama3.1-8b,H200,1,bf16,1,8,0,0,0,-1\n")
    _one_line_error(
        _inproc(capsys, "predict", "--measurements", str(neg), "--hardware", "h200"),
        "row 1: column latency_ms is negative",
    )
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(",".join(STEP_COLUMNS) + "\nfoo-13b,H200,1,bf16,1,8,0,0,0,1\n")
    _one_line_error(
        _modeling("predict", "--measurements", str(unknown), "--hardware", "h200"),
        "unknown model name(s) in column model: 'foo-13b' (row 1)",
        "--model NAME=PRESET",
    )
    _one_line_error(
        _inproc(capsys, "predict", "--measurements", str(unknown), "--hardware", "h200", "--model", "foo-13b"),
        "NAME=PRESET",
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    _one_line_error(
        _inproc(capsys, "calibrate", "--measurements", str(empty), "--hardware", "h200", "--out", out), "empty"
    )
    dup = tmp_path / "dup.csv"
    dup.write_text((REFERENCE_DIR / "steps_llama3.1-8b.csv").read_text())
    _one_line_error(
        _inproc(
            capsys, "calibrate", "--measurements", STEPS, "--measurements", str(dup), "--hardware", "h200", "--out", out
        ),
        "duplicate rows",
        "dup.csv row 1 repeats steps_llama3.1-8b.csv row 1",
    )
    few = tmp_path / "few.csv"
    few.write_text("\n".join((REFERENCE_DIR / "steps_llama3.1-8b.csv").read_text().splitlines()[:5]) + "\n")
    _one_line_error(
        _inproc(capsys, "calibrate", "--measurements", str(few), "--hardware", "h200", "--out", out),
        "too few rows for method 'curves': 4 given",
    )
    _one_line_error(
        _inproc(capsys, "calibrate", "--measurements", STEPS, "--hardware", "nope-gpu", "--out", out), "--hardware"
    )
    _one_line_error(
        _inproc(capsys, "calibrate", "--measurements", STEPS, "--hardware", "h200", "--out", out, "--method", "magic"),
        "argument --method: method must be one of curves, derate, linear",
    )
    assert not Path(out).exists()
