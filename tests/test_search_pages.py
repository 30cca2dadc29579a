"""AppTest interaction tests of the SLA search pages (aggregated and PD disaggregated)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.common.plots_search import pareto_chart, reason_summary, ttft_breakdown_chart
from dashboard.page_registry import DASHBOARD_DIR

SUS = str(DASHBOARD_DIR / "scale_up_search.py")
PD = str(DASHBOARD_DIR / "scale_up_search_pd_disaggregate.py")


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _df_with(at, column: str):
    """The first table showing ``column`` (AppTest does not expose dataframe keys)."""
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with column {column!r}")


def _num(s: str) -> float:
    return float(s.replace(",", "").replace("×", "").replace("%", ""))


def test_scale_up_search_page_reacts_to_sla() -> None:
    at = AppTest.from_file(SUS, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    m = _metrics(at)
    assert any(md.value.startswith("**Best:** TP") for md in at.markdown)
    loose = _num(m["Output tok/s per GPU"])
    assert _num(m["TPOT (ms)"]) <= 50 and _num(m["TTFT (ms)"]) <= 1000
    n_loose = int(m["Feasible / evaluated"].split("/")[0])
    assert len(at.get("plotly_chart")) == 1
    # a tighter TPOT can only lower the best throughput and shrink the feasible set
    at.number_input(key="scale_up_search__tpot_ms").set_value(15.0).run()
    assert not at.exception
    m = _metrics(at)
    assert _num(m["TPOT (ms)"]) <= 15
    assert _num(m["Output tok/s per GPU"]) <= loose
    assert int(m["Feasible / evaluated"].split("/")[0]) < n_loose
    assert at.query_params["tpot_ms"] == "15.0"
    # an impossible SLA: a warning, no best, the reasons table explains
    at.number_input(key="scale_up_search__ttft_ms").set_value(0.5).run()
    assert not at.exception
    assert at.warning and "No configuration meets the SLA" in at.warning[0].value
    reasons = _df_with(at, "reason")
    assert "TTFT above target" in set(reasons.iloc[:, 0])


def test_scale_up_search_bad_list_keeps_last_value_and_simulator_button() -> None:
    at = AppTest.from_file(SUS, default_timeout=120).run()
    at.text_input(key="scale_up_search__tp_values").input("1, x").run()
    assert not at.exception
    assert any("tp_values" in e.value and "'x'" in e.value for e in at.error)
    at.text_input(key="scale_up_search__concurrency").input("1, 8, 64").run()
    assert not at.exception
    assert at.session_state["app_state"].pages["scale_up_search"].concurrency == (1, 8, 64)
    at.number_input(key="scale_up_search__sim_top").set_value(1).run()
    at.button(key="scale_up_search__sim_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sim = _df_with(at, "ttft_ms_p90")
    assert len(sim) == 1 and sim["tpot_ms_p90"].iloc[0] > 0
    assert sim["ttft_ms_p50"].iloc[0] <= sim["ttft_ms_p90"].iloc[0] <= sim["ttft_ms_p99"].iloc[0]
    # the Pareto chart gains the simulated series once the re-run exists
    at.run()
    names = [t.get("name") for c in at.get("plotly_chart") for t in __import__("json").loads(c.proto.spec)["data"]]
    assert any(n and n.startswith("simulated (vllm") for n in names), names


def test_pd_page_shows_both_bests_and_link_changes_kv_time() -> None:
    at = AppTest.from_file(PD, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    m = _metrics(at)
    for label in (
        "Prefill pool utilisation",
        "Decode pool utilisation",
        "Rate-matching slack",
        "KV transfer share of TTFT",
        "PD ÷ aggregated (tok/s/GPU)",
    ):
        assert label in m
    kv_ib = _num(m["KV transfer (ms)"])
    assert len(at.get("plotly_chart")) == 2
    at.selectbox(key="scale_up_search_pd_disaggregate__link").set_value("nvlink").run()
    assert not at.exception
    assert _num(_metrics(at)["KV transfer (ms)"]) < kv_ib  # 450 GB/s NVLink vs 50 GB/s InfiniBand on H200
    at.number_input(key="scale_up_search_pd_disaggregate__output_len").set_value(2).run()
    assert not at.exception


def test_figures_and_reason_summary() -> None:
    rows = [
        {
            "tp": 1,
            "ep": 1,
            "dp": 1,
            "concurrency": 8,
            "budget": 512,
            "tps_per_user": 50.0,
            "output_tok_s_per_gpu": 400.0,
            "ttft_ms": 80.0,
            "tpot_ms": 20.0,
        }
    ]
    fig = pareto_chart({"meets SLA": rows}, {"front": rows}, min_tps_per_user=30, tpot_ms=25)
    assert len(fig.data) == 4 and fig.layout.xaxis.type == "log"
    # SLA lines: 30 tok/s/user and 1000 / 25 ms = 40 tok/s/user, in data coordinates
    assert [tuple(tr.x) for tr in fig.data[2:]] == [(30, 30), (40, 40)]
    assert not fig.layout.annotations
    bars = ttft_breakdown_chart([("a", {"prefill": 1.0, "kv": 2.0})])
    assert fig is not bars and len(bars.data) == 2 and bars.layout.barmode == "stack"
    summary = reason_summary(
        [
            {"reason_code": "oom", "reason": "OOM: x"},
            {"reason_code": "oom", "reason": "OOM: y"},
            {"reason_code": "tpot", "reason": "TPOT 9 ms > 5 ms"},
        ],
        lambda k: k,
    )
    assert summary == [
        {"sus.reason_col": "sus.reason_oom", "sus.count_col": 2, "sus.example_col": "OOM: x"},
        {"sus.reason_col": "sus.reason_tpot", "sus.count_col": 1, "sus.example_col": "TPOT 9 ms > 5 ms"},
    ]
