"""`modeling sweep` and the sweep service: spec validation, pool vs Ray identity, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard.services.sweep import cells_of, load_spec, parse_spec, run_sweep
from runners.cli import main

SPEC = {
    "models": ["llama-3.1-8b", "qwen2.5-7b"],
    "hardware": ["h200", "h100-sxm", "a100-80g", "l40s", "b200"],
    "engines": ["vllm"],
    "tp": [1],
    "ep": [1],
    "workloads": [
        {"input_len": 256, "output_len": 16, "request_rate": 20, "num_requests": 12},
        {"input_len": 128, "output_len": 8, "concurrency": 4, "num_requests": 10},
    ],
    "seeds": [0, 1],
    "max_num_batched_tokens": [1024],
    "max_num_seqs": [64],
}


def _metrics(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=["task_s"]).sort_values("cell_key").reset_index(drop=True)


def test_spec_cross_product_and_keys():
    spec = parse_spec(SPEC)
    cells = cells_of(spec)
    assert spec.num_cells == len(cells) == 2 * 5 * 2 * 2
    assert len({c.key for c in cells}) == len(cells)


@pytest.mark.parametrize(
    ("patch", "msg"),
    [
        ({"modelz": ["x"]}, "unknown key"),
        ({"tp": [0]}, "'tp'"),
        ({"workloads": [{"input_len": 10}]}, "output_len"),
        ({"workloads": [{"input_len": 10, "output_len": 2, "request_rate": 1, "concurrency": 2}]}, "not both"),
        ({"seeds": [-1]}, "seeds"),
        ({"tp": list(range(1, 1001)), "seeds": list(range(200))}, "limit"),
    ],
)
def test_bad_specs_name_the_key(patch, msg):
    with pytest.raises(ValueError, match=msg):
        parse_spec({**SPEC, **patch})


def test_fifty_cells_identical_on_pool_and_local_ray(tmp_path):
    pytest.importorskip("ray")
    spec = parse_spec(
        {
            **SPEC,
            "models": ["llama-3.1-8b"],
            "hardware": ["h200", "h100-sxm", "a100-80g", "l40s", "b200"],
            "seeds": [0, 1, 2, 3, 4],
            "workloads": SPEC["workloads"],
        }
    )
    assert spec.num_cells == 50
    pool = run_sweep(spec, tmp_path / "pool.csv", workers=2, backend="pool")
    ray_df = run_sweep(spec, tmp_path / "ray.csv", workers=2, backend="ray")
    assert (pool["error"] == "").all()
    pd.testing.assert_frame_equal(_metrics(pool), _metrics(ray_df))
    # and what was written equals what was returned
    back = pd.read_csv(tmp_path / "ray.csv", keep_default_na=False, na_values=[""])
    assert len(back) == 50 and set(back["cell_key"]) == set(pool["cell_key"])


def test_resume_runs_only_missing_cells(tmp_path, monkeypatch):
    spec = parse_spec({**SPEC, "hardware": ["h200", "h100-sxm"]})
    out = tmp_path / "r.parquet"
    full = run_sweep(spec, out, workers=1)
    n = len(full)
    # keep half of the file, as an interrupted run leaves it
    half = pd.read_parquet(out).iloc[: n // 2]
    half.to_parquet(out, index=False)
    import dashboard.services.sweep as sw

    ran: list[str] = []
    real = sw.run_cell

    def counting(cell):
        ran.append(cell.key)
        return real(cell)

    monkeypatch.setattr(sw, "run_cell", counting)
    again = run_sweep(spec, out, workers=1)
    assert len(ran) == n - n // 2
    assert set(ran).isdisjoint(set(half["cell_key"]))
    pd.testing.assert_frame_equal(_metrics(again), _metrics(full), check_dtype=False)


def test_cli_sweep_yaml_and_bad_input(tmp_path, capsys):
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "models: [llama-3.1-8b]\nhardware: [h200]\nworkloads:\n"
        "  - {input_len: 64, output_len: 4, num_requests: 5, request_rate: 50}\n"
        "seeds: [0, 1]\n"
    )
    out = tmp_path / "o.csv"
    assert main(["sweep", "--spec", str(spec), "--out", str(out), "--workers", "1", "--quiet", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["cells"] == 2 and summary["errors"] == 0
    df = pd.read_csv(out)
    assert list(df["seed"]) == [0, 1] and (df["completed"] == 5).all()
    assert main(["sweep", "--spec", str(tmp_path / "missing.yaml"), "--out", str(out)]) == 2
    assert main(["sweep", "--spec", str(spec), "--out", str(tmp_path / "nodir" / "o.csv")]) == 2
    assert main(["sweep", "--spec", str(spec), "--out", str(tmp_path / "o.txt")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["sweep", "--spec", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "not valid JSON" in err and "Traceback" not in err


def test_trace_workload_cell(tmp_path):
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "dashboard" / "data" / "traces"
    spec = load_spec_from(
        tmp_path,
        {
            "models": ["llama-3.1-8b"],
            "hardware": ["h200"],
            "workloads": [{"trace": str(data / "burstgpt_sample.csv"), "time_scale": 0.1}],
        },
    )
    df = run_sweep(spec, None, workers=1)
    assert df.loc[0, "error"] == "" and df.loc[0, "completed"] == 192


def load_spec_from(tmp_path, obj):
    p = tmp_path / "spec.json"
    p.write_text(json.dumps(obj))
    return load_spec(p)


def test_sweep_page_spec_runner_runs_and_shows_results():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(
        str(Path(__file__).resolve().parents[1] / "dashboard" / "scale_up_sweep_with_sim.py"), default_timeout=120
    )
    at.run()
    assert not at.exception
    spec = (
        "models: [llama-3.1-8b]\nhardware: [h200, a100-80g]\nworkloads:\n"
        "  - {input_len: 128, output_len: 8, concurrency: 4, num_requests: 8}\nseeds: [0]\n"
    )
    at.text_area(key="scale_up_sweep_with_sim__sweep_spec").set_value(spec).run()
    assert not at.exception
    assert any("2 cells" in c.value for c in at.caption)
    at.button(key="scale_up_sweep_with_sim__sweep_run").click().run()
    assert not at.exception
    assert any("2 cells (0 with errors)" in s.value for s in at.success)
    df = next(
        d.value
        for d in at.dataframe
        if "hardware" in d.value.columns and "cell_key" not in d.value.columns and "wl_concurrency" in d.value.columns
    )
    by_hw = dict(zip(df["hardware"], df["output_throughput_tok_s_per_gpu"], strict=True))
    assert by_hw["h200"] > by_hw["a100-80g"] > 0  # more bandwidth, more decode throughput
    at.text_area(key="scale_up_sweep_with_sim__sweep_spec").set_value("models: [x]\n").run()
    assert not at.exception and at.error  # missing keys named, input kept
    assert at.text_area(key="scale_up_sweep_with_sim__sweep_spec").value == "models: [x]\n"
