"""Real-browser tests of the capacity planner and the frontier page (issue 18): each page renders in
Chromium without an exception, shows its answer, and reacts to one input change."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.browser

TIMEOUT_MS = int(float(os.environ.get("BROWSER_TIMEOUT_S", "60")) * 1000)
MAIN = "[data-testid='stMainBlockContainer']"
EXC = "[data-testid='stException']"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning'][data-test-connection-state='CONNECTED']"


def _open(page, base: str, path: str) -> None:
    page.goto(f"{base}/{path}", wait_until="commit", timeout=TIMEOUT_MS)
    page.locator(f"{MAIN} h1").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    page.locator(IDLE).wait_for(state="attached", timeout=TIMEOUT_MS)


def _no_exception(page, where: str) -> None:
    exc = page.locator(EXC)
    assert not exc.count(), f"{where}: " + "\n".join(exc.all_inner_texts())


def _run(page) -> None:
    """Press the page's Run button (the planner simulates: it runs on demand)."""
    page.locator(f"{MAIN} .st-key-planner__run button").first.click()


def test_planner_page_in_browser(page, warm_server) -> None:
    _open(page, warm_server, "planner")
    _run(page)
    page.get_by_text("Cheapest plan that meets the SLA").wait_for(timeout=TIMEOUT_MS)
    code = page.locator(f"{MAIN} [data-testid='stCode']").first
    code.wait_for(timeout=TIMEOUT_MS)
    assert "vllm serve" in code.inner_text()
    _no_exception(page, "planner first render")
    gpus_before = page.locator("[data-testid='stMetricValue']").first.inner_text()
    box = page.get_by_label("Requests per second")
    box.fill("200")
    box.press("Enter")
    page.locator(IDLE).wait_for(state="attached", timeout=TIMEOUT_MS)
    _run(page)
    page.wait_for_function(
        "(v) => { const m = document.querySelector(\"[data-testid='stMetricValue']\");"
        " return m && m.innerText !== v; }",
        arg=gpus_before,
        timeout=TIMEOUT_MS,
    )
    page.locator(IDLE).wait_for(state="attached", timeout=TIMEOUT_MS)
    _no_exception(page, "planner after a rate change")
    assert int(page.locator("[data-testid='stMetricValue']").first.inner_text()) > int(gpus_before)


def test_frontier_page_in_browser(page, warm_server) -> None:
    _open(page, warm_server, "frontier")
    _no_exception(page, "frontier first render")
    # charts sit in expanders that render on demand: open the frontier chart's
    page.locator(f"{MAIN} .st-key-chart__frontier_chart summary").first.click()
    plot = page.locator(f"{MAIN} .js-plotly-plot").first
    plot.wait_for(state="attached", timeout=TIMEOUT_MS)
    _no_exception(page, "frontier first render")
    page.locator(f"{MAIN} .js-plotly-plot .legendtext").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    legend = page.locator(f"{MAIN} .js-plotly-plot .legendtext").evaluate_all("els => els.map(e => e.textContent)")
    assert any("h200 · vllm · native" in x for x in legend), legend
    assert any("b200 · vllm · native" in x for x in legend), legend
