"""The calibration page's second mode: fit an engine profile to uploaded benchmark results."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.common.plots_serving import serving_residuals

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "regression_calibration.py")
DATA = Path(__file__).parent / "data" / "serving"


def _rows_csv() -> bytes:
    lines = [
        "model,hardware,engine,num_gpus,tp,ep,weight_dtype,kv_dtype,isl,osl,load,concurrency,request_rate,"
        "num_requests,output_tok_s_per_gpu"
    ]
    for isl, osl, tput in ((128, 128, 20000), (1024, 1024, 9000), (4096, 256, 2500), (128, 2048, 8000)):
        lines.append(f"llama-3.1-8b,h200,vllm,1,1,,fp8,fp8,{isl},{osl},max,,,,{tput}")
    return ("\n".join(lines) + "\n").encode()


def test_benchmark_mode_fits_uploaded_results_and_registers_the_profile() -> None:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    assert not at.exception
    at.radio(key="regression_calibration__mode").set_value("bench").run()
    assert not at.exception and at.info  # asks for files
    at.file_uploader(key="regression_calibration__bench_upload").set_value(
        [
            ("measured.csv", _rows_csv(), "text/csv"),
            ("vllm.json", (DATA / "vllm_llama8b_c16.json").read_bytes(), "application/json"),
        ]
    ).run()
    assert not at.exception and not at.error
    at.button(key="regression_calibration__bench_run").click().run()
    assert not at.exception and not at.error
    errs = at.dataframe[0].value
    tput = errs[errs["column"] == "tok/s/GPU"].iloc[0]
    assert tput["n"] == 5 and float(tput["fit"]) < float(tput["uncalibrated"])
    at.button(key="regression_calibration__bench_register").click().run()
    assert not at.exception and at.success and "h200+vllm" in at.success[0].value


def test_bad_upload_is_a_message_not_a_traceback() -> None:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    at.radio(key="regression_calibration__mode").set_value("bench").run()
    at.file_uploader(key="regression_calibration__bench_upload").set_value(
        [("junk.json", b'{"hello": 1}', "application/json")]
    ).run()
    assert not at.exception and at.error and "junk.json" in at.error[0].value


def test_residual_figure_has_fit_held_out_and_uncalibrated_traces() -> None:
    rows = [
        {
            "model": "m",
            "load": "max",
            "isl": 1,
            "osl": 1,
            "output_tok_s_per_gpu": 100.0,
            "pred_output_tok_s_per_gpu": 110.0,
            "loo_output_tok_s_per_gpu": 90.0,
            "uncal_output_tok_s_per_gpu": 150.0,
        }
    ]
    fig = serving_residuals(rows, "t", {"output_tok_s_per_gpu": "tok/s/GPU"})
    ys = {tr.name: round(tr.y[0], 9) for tr in fig.data}
    assert ys == {"tok/s/GPU (fit)": 10.0, "tok/s/GPU (held out)": -10.0, "tok/s/GPU (uncal.)": 50.0}
