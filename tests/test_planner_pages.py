"""AppTest of the capacity planner and frontier pages: numbers move the right way, bad input is a message."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
P = "planner__"
F = "frontier__"


def _run(x) -> AppTest:
    at = x.run()  # an AppTest, or a widget whose run() runs its AppTest and returns it
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> float:
    for m in at.metric:
        if m.label.startswith(label):
            return float(str(m.value).replace(",", ""))
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def _plans(at: AppTest):
    return next(d.value for d in at.dataframe if "meets_sla" in d.value.columns)


def test_planner_page_plans_launches_and_reacts() -> None:
    at = _run(AppTest.from_file(str(ROOT / "dashboard/planner.py"), default_timeout=120))
    gpus = _metric(at, "GPUs")
    assert gpus >= 1
    codes = " ".join(c.value for c in at.code)
    assert "vllm serve meta-llama/Llama-3.1-8B" in codes and "kind: Deployment" in codes
    # twenty times the rate needs more GPUs
    _run(at.number_input(key=P + "request_rate").set_value(200.0))
    assert _metric(at, "GPUs") > gpus
    # a price edit moves the ranking: make the best GPU type expensive
    best = _plans(at).iloc[0]["hardware"]
    assert best
    prices = ", ".join(f"{h}={1000.0 if h == best else 1.0}" for h in ("h100-sxm", "h200", "b200"))
    _run(at.text_input(key=P + "prices").set_value(prices))
    assert _plans(at).iloc[0]["hardware"] != best
    # bad input: a message, the last valid value kept, no traceback
    _run(at.text_input(key=P + "prices").set_value("h200=abc"))
    assert any("price" in e.value for e in at.error)
    assert at.session_state["app_state"].pages["planner"].prices == prices


def test_frontier_page_series_and_axes() -> None:
    at = _run(AppTest.from_file(str(ROOT / "dashboard/frontier.py"), default_timeout=120))
    assert not at.warning
    df = at.dataframe[0].value
    assert set(df["series"]) == {"h100-sxm · vllm · native", "h200 · vllm · native", "b200 · vllm · native"}
    assert df["on_frontier"].any()
    # B200 beats H100 at the same layout and concurrency (more bandwidth, more FLOPs)
    pick = df[(df["layout"] == "TP1") & (df["concurrency"] == 16)].set_index("series")["output_tok_s_per_gpu"]
    assert pick["b200 · vllm · native"] > pick["h100-sxm · vllm · native"]
    _run(at.multiselect(key=F + "precisions").set_value(["native", "fp8"]))
    assert len(set(at.dataframe[0].value["series"])) == 6
    _run(at.selectbox(key=F + "y_metric").set_value("tokens_per_usd"))
    assert at.dataframe[0].value["tokens_per_usd"].notna().all()
    _run(at.checkbox(key=F + "frontier_only").check())
    assert at.dataframe[0].value["on_frontier"].all()
    _run(at.text_input(key=F + "concurrency").set_value("1, x"))
    assert any("concurrency" in e.value for e in at.error)
    assert at.session_state["app_state"].pages["frontier"].concurrency == (1, 2, 4, 8, 16, 32, 64, 128, 256)


@pytest.mark.parametrize("lang", ["zh"])
def test_planner_page_in_chinese(lang: str) -> None:
    from dashboard.state.session import SessionState, Settings

    at = AppTest.from_file(str(ROOT / "dashboard/planner.py"), default_timeout=120)
    at.session_state["app_state"] = SessionState(settings=Settings(language=lang))
    _run(at)
    assert any("满足 SLA" in s.value for s in at.subheader)
