"""Every registered page in a real browser (Debian Chromium + Playwright, issue 8).

For each page in ``dashboard.page_registry.PAGE_SPECS`` (new pages are covered automatically):

1. **first render** — a fresh session opens the page's URL; timed until the script has run
   (``data-test-script-state`` went ``running`` → ``notRunning``) and, for pages whose source
   draws charts, a ``.js-plotly-plot`` is present. No ``stException``. Also recorded: when the
   script started (frontend loaded, session connected) and how long its run took.
2. **sidebar navigation** — click another page's link in ``stSidebarNav`` (the default page),
   then this page's link by its title: it loads again with no ``stException`` and its charts render.
3. **rerun** — the first number input of the main area is changed (+1 step, or −1 step at the
   max) and Enter pressed; the script must rerun and a shown number (``stMetricValue``) or the
   main block's text must change. Pages without a main-area number input switch the sidebar
   model preset instead (the header names the model). Timed from the key press to ``notRunning``
   (or, for a run so fast that React never rendered "running", to its last websocket message),
   three times; the median is reported.
4. **screenshot** — ``test-artifacts/screenshots/<url_path>.png`` (element screenshot of
   ``stMainBlockContainer``, which captures the whole scrolled content).

Timings go to ``test-artifacts/page_speed.json`` and a table at the end of the run (see
conftest.py). Targets (≤ 3 s first render, ≤ 0.4 s rerun) are reported, not enforced.
``BROWSER_TIMEOUT_S`` (default 60) is the limit of each wait; on a failure the browser's view is
saved as ``<url_path>.FAILED.png``. Pages whose default state draws no chart get a query string in
``PAGE_QUERY``.
"""

from __future__ import annotations

import contextlib
import os
import re
import statistics
import time
from pathlib import Path

import pytest

from dashboard.page_registry import PAGE_SPECS, PageSpec

pytestmark = pytest.mark.browser

try:  # collected even without playwright; the fixtures then skip (locally) or fail (CI)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover
    PlaywrightTimeout = TimeoutError

TIMEOUT_MS = int(float(os.environ.get("BROWSER_TIMEOUT_S", "60")) * 1000)  # per wait; raise on a crowded box
RERUNS = 3  # input changes timed per page; the median is reported
MAIN = "[data-testid='stMainBlockContainer']"
APP = "[data-testid='stApp']"
PLOT = ".js-plotly-plot"
EXC = "[data-testid='stException']"
# keyed elements carry an ``st-key-<key>`` class: Run buttons are ``<page>__run``, charts' expanders ``chart__<key>``
RUN_BUTTON = f"{MAIN} [class*='st-key-'][class*='__run'] button"
CHART_TOGGLE = f"{MAIN} [class*='st-key-chart__'] summary"

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
SERVER_LOG = ROOT / "test-artifacts" / "streamlit-server.log"  # written by conftest.streamlit_server

#: Query strings that put a page into a state where it draws its charts, for pages whose default
#: state legitimately draws none (a page that needs one and lacks it fails with a message saying so).
PAGE_QUERY: dict[str, str] = {
    "experts_calculation": "model=qwen3-30b-a3b",  # the sidebar default (a dense model) has no experts
}

_CHART_CALL = re.compile(r"\b(?:chart|plotly_chart)\(")

# Records every change of stApp's data-test-script-state with its performance.now() time, from the
# moment the app mounts (installed before any page script runs).
_INIT_SCRIPT = """
window.__stMarks = [];
(() => {
  let app = null, obs = null;
  const hook = () => {
    const el = document.querySelector("[data-testid='stApp']");
    if (!el || el === app) return;
    if (obs) obs.disconnect();
    app = el;
    window.__stMarks.push([app.getAttribute('data-test-script-state'), performance.now()]);
    // one callback may carry several changes: the value after change i is the old value of change i+1
    obs = new MutationObserver((recs) => {
      const now = performance.now();
      recs.forEach((r, i) => window.__stMarks.push(
        [i + 1 < recs.length ? recs[i + 1].oldValue : app.getAttribute('data-test-script-state'), now]));
    });
    obs.observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
  };
  // find stApp as soon as it mounts, and again if React ever remounts it
  new MutationObserver(hook).observe(document, {childList: true, subtree: true});
  setInterval(hook, 50);
  // every message from the server is a 'msg' mark: a rerun fast enough for React to batch its
  // running and notRunning states into one render never changes the attribute (issue 14)
  const WS = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new WS(...args);
    ws.addEventListener('message', () => window.__stMarks.push(['msg', performance.now()]));
    return ws;
  };
  window.WebSocket.prototype = WS.prototype;
  Object.assign(window.WebSocket, WS);
})();
"""

# True once a run started at or after index n and the app is now notRunning. A run whose states
# React batched (no 'running' mark, only server messages: see above) counts as done once no
# message arrived for QUIET_MS (its last message is "script finished"; ending the wait at its
# first message would cut it short).
QUIET_MS = 150
_RUN_DONE = """(n) => {
  const m = (window.__stMarks || []).slice(n);
  const app = document.querySelector("[data-testid='stApp']");
  const msgs = m.filter(x => x[0] === 'msg');
  const ran = m.some(x => x[0] === 'running');
  return !!app && (ran || msgs.length > 0)
      && app.getAttribute('data-test-script-state') === 'notRunning'
      && app.getAttribute('data-test-connection-state') === 'CONNECTED'
      && (ran || performance.now() - msgs[msgs.length - 1][1] > QUIET_MS);
}""".replace("QUIET_MS", str(QUIET_MS))


def _log_tail(n: int = 4000) -> str:
    try:
        lines = SERVER_LOG.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(x for x in lines if "missing ScriptRunContext" not in x)[-n:]


def has_charts(spec: PageSpec) -> bool:
    """Whether the page's source draws Plotly charts (``chart(`` / ``plotly_chart(``)."""
    return bool(_CHART_CALL.search(spec.path.read_text(encoding="utf-8")))


def _page_url(base: str, spec: PageSpec) -> str:
    url = base + "/" if spec.default else f"{base}/{spec.url_path}"
    query = PAGE_QUERY.get(spec.url_path)
    return f"{url}?{query}" if query else url


def _wait_painted(page, what: str) -> None:
    """Wait until no element of the main block is still a placeholder: the frontend flips to
    notRunning before it has loaded the code of widgets a fresh session has not drawn yet (number
    inputs, selects, tables…), and shows an ``stSkeleton`` for each meanwhile."""
    try:
        page.wait_for_function(
            "(sel) => !document.querySelector(sel)",
            arg=f"{MAIN} [data-testid='stSkeleton']",
            timeout=TIMEOUT_MS,
            polling=20,
        )
    except PlaywrightTimeout:
        pytest.fail(f"{what}: placeholders still shown after {TIMEOUT_MS // 1000} s", pytrace=False)


def _settle(page) -> None:
    """Let the frontend finish painting the last run (two animation frames) before typing: with
    fast reruns "notRunning" can arrive before React has applied the run's widget values, which
    would then overwrite a value typed at once."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def _marks_len(page) -> int:
    return page.evaluate("(window.__stMarks || []).length")


def _wait_run(page, since: int, what: str) -> None:
    """Wait until a script run that started after mark ``since`` has finished."""
    try:
        page.wait_for_function(_RUN_DONE, arg=since, timeout=TIMEOUT_MS, polling=20)
    except PlaywrightTimeout as exc:
        marks = page.evaluate("window.__stMarks || []")
        pytest.fail(
            f"{what}: the script did not finish a run within {TIMEOUT_MS // 1000} s "
            f"(state marks: {marks[-8:]}): {exc}\nserver log tail:\n{_log_tail()}",
            pytrace=False,
        )


def _act_and_wait(page, action, what: str, attempts: int = 3) -> int:
    """Do ``action`` (a click, a key press) and wait for the script run it starts. An action that
    starts no run within 5 s (dropped by a busy page, or a layout shift under the pointer) is
    repeated, up to ``attempts`` times. Returns the number of attempts used."""
    since = _marks_len(page)
    tries = 0
    while tries < attempts:
        tries += 1
        action()
        try:
            page.wait_for_function(
                "(n) => (window.__stMarks || []).slice(n).some(x => x[0] === 'running' || x[0] === 'msg')",
                arg=since,
                timeout=5_000,
                polling=50,
            )
            break
        except PlaywrightTimeout:
            if _marks_len(page) != since:
                break  # something changed: let _wait_run judge it
    _wait_run(page, since, what)
    return tries


def _click_and_wait(page, locator, what: str) -> int:
    return _act_and_wait(page, locator.click, what)


def _assert_no_exception(page, spec: PageSpec, when: str) -> None:
    exc = page.locator(EXC)
    if exc.count():
        texts = "\n---\n".join(exc.all_inner_texts())
        pytest.fail(
            f"page {spec.url_path!r} shows an exception {when}:\n{texts}\nserver log tail:\n{_log_tail()}",
            pytrace=False,
        )


def _wait_charts(page, spec: PageSpec, when: str) -> None:
    if not has_charts(spec):
        return
    try:
        page.locator(f"{MAIN} {PLOT}").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        _assert_no_exception(page, spec, when)
        alerts = page.locator(f"{MAIN} [data-testid='stAlert']").all_inner_texts()
        pytest.fail(
            f"page {spec.url_path!r}: its source draws charts but no {PLOT} rendered {when} "
            f"(alerts shown: {alerts}). If the page needs a particular state to draw, add a query string "
            f"for it to PAGE_QUERY in {Path(__file__).name}.",
            pytrace=False,
        )


def _nav_link(page, spec: PageSpec):
    """The sidebar link of ``spec``, made visible: "View N more" expands a long list, and a
    collapsed section is opened (only the page's own section, so nothing else is toggled)."""
    nav = page.locator("[data-testid='stSidebarNav']")
    nav.wait_for(state="visible", timeout=TIMEOUT_MS)
    link = nav.get_by_role("link", name=spec.title, exact=True)
    if link.count() and link.is_visible():
        return link
    more = nav.locator("[data-testid='stSidebarNavViewButton']")
    if more.count() and "more" in more.inner_text().lower():
        more.click()
        with contextlib.suppress(PlaywrightTimeout):
            link.wait_for(state="visible", timeout=10_000)
    if not (link.count() and link.is_visible()):
        header = nav.locator("[data-testid='stNavSectionHeader']").filter(has_text=spec.section)
        if header.count():
            header.first.click()
    link.wait_for(state="visible", timeout=TIMEOUT_MS)
    return link


def _shown_numbers(page) -> list[str]:
    return page.locator(f"{MAIN} [data-testid='stMetricValue']").all_inner_texts()


def _grid_pixels(page) -> bytes:
    """A screenshot of the main block's tables (canvas-drawn), or b"" when it has none."""
    grids = page.locator(f"{MAIN} [data-testid='stDataFrame']:visible")
    if not grids.count():
        return b""
    page.wait_for_timeout(300)  # let the canvas redraw
    return b"".join(grids.nth(i).screenshot(animations="disabled") for i in range(min(grids.count(), 3)))


def _main_text(page) -> str:
    return page.locator(MAIN).inner_text()


def _new_number(value: str, lo: str | None, hi: str | None, step: str | None) -> str:
    if not value.strip():  # an empty (None) number input: fill in its minimum, or 1
        return lo if lo not in (None, "") else "1"
    v = float(value)
    s = float(step) if step not in (None, "", "any") else 1.0
    new = v + s
    if hi not in (None, "") and new > float(hi):
        new = v - s
    if lo not in (None, "") and new < float(lo):
        new = float(lo) if float(lo) != v else float(hi or v)
    is_int = re.fullmatch(r"-?\d+", value.strip() or "0") and float(s).is_integer()
    if is_int:
        return str(round(new))
    decimals = max(len(value.split(".")[1]) if "." in value else 0, len(str(s).split(".")[1]) if "." in str(s) else 0)
    return f"{new:.{decimals}f}"


def _change_one_input(page, first_value: dict) -> tuple[str, float]:
    """Change one input, wait for the rerun; returns (description, seconds from the key press
    (or option click) to notRunning). Number inputs alternate between their first value and one
    step away from it, so repeated changes stay in a state the page was shown to accept."""
    num = page.locator(f"{MAIN} [data-testid='stNumberInput'] input:visible")  # not one in a closed expander
    if num.count():
        field = num.first
        value = field.input_value()
        lo, hi, step = (field.get_attribute(a) for a in ("min", "max", "step"))
        label = field.get_attribute("aria-label") or "?"
        first = first_value.setdefault(label, value)
        new = _new_number(value, lo, hi, step) if value == first else first
        assert new != value, f"could not pick a new value for number input {label!r} ({value}, {lo}..{hi})"
        _settle(page)
        field.fill(new)
        desc = f"{label}: {value}->{new}"
        since = _marks_len(page)
        t0 = page.evaluate("performance.now()")
        presses = [0]

        def press_enter() -> None:
            # a retry fills the value again: a late repaint of the previous run can reset the field
            # to the server's value, and Enter on an unchanged value starts no run
            if presses[0]:
                field.fill(new)
            presses[0] += 1
            field.press("Enter")

        tries = _act_and_wait(page, press_enter, f"rerun after changing {desc}")
    else:  # no main-area number: switch the sidebar model preset (the header names the model)
        sb = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
        target = page.get_by_role("option", selected=False).first
        _settle(page)
        for attempt in range(3):  # the combobox's "Open" button; retried, a busy box can drop the click
            sb.locator("button[aria-label='Open']").click()
            try:
                target.wait_for(state="visible", timeout=15_000)
                break
            except PlaywrightTimeout:
                page.keyboard.press("Escape")
                if attempt == 2:
                    raise
        desc = f"sidebar model preset -> {target.inner_text().strip()}"
        since = _marks_len(page)
        t0 = page.evaluate("performance.now()")
        target.click()
        tries = 1
        _wait_run(page, since, f"rerun after changing {desc}")
    marks = page.evaluate("window.__stMarks")
    # the end of the run: the last notRunning flip or server message after the action
    done = [t for state, t in marks[since:] if state in ("notRunning", "msg")]
    if tries > 1:
        desc += f" (Enter pressed {tries}x)"
    return desc, (done[-1] - t0) / 1000.0


@pytest.mark.parametrize("spec", PAGE_SPECS, ids=[s.url_path for s in PAGE_SPECS])
def test_page_in_browser(page, streamlit_server, speed_results, spec: PageSpec):
    try:
        _check_page(page, streamlit_server, speed_results, spec)
    except BaseException:
        # keep what the browser showed when it failed (the original failure matters more)
        with contextlib.suppress(Exception):
            save_screenshot(page, SCREENSHOTS / f"{spec.url_path}.FAILED.png")
        raise
    save_screenshot(page, SCREENSHOTS / f"{spec.url_path}.png")
    (SCREENSHOTS / f"{spec.url_path}.FAILED.png").unlink(missing_ok=True)  # a stale one from an earlier run


def _press_run(page, spec: PageSpec) -> float:
    """Click the page's (first) Run button; seconds from the click to the end of the run."""
    t0 = page.evaluate("performance.now()")
    since = _marks_len(page)
    _click_and_wait(page, page.locator(RUN_BUTTON).first, f"pressing Run on {spec.url_path}")
    _wait_painted(page, f"results of Run on {spec.url_path}")
    marks = page.evaluate("window.__stMarks")
    _assert_no_exception(page, spec, "after pressing Run")
    return round(([t for st, t in marks[since:] if st == "notRunning"][-1] - t0) / 1000, 3)


def _check_page(page, streamlit_server: str, speed_results: dict, spec: PageSpec) -> None:
    base = streamlit_server
    page.add_init_script(_INIT_SCRIPT)
    result: dict = {"title": spec.title, "charts": has_charts(spec)}
    speed_results[spec.url_path] = result

    # 1. first render in a fresh session, straight from the URL: charts start closed (on demand) and
    #    expensive pages wait for their Run button, so the clock stops when the script is done
    t0 = time.perf_counter()
    page.goto(_page_url(base, spec), wait_until="commit", timeout=TIMEOUT_MS)
    _wait_run(page, 0, f"first render of {spec.url_path}")
    _wait_painted(page, f"first render of {spec.url_path}")
    result["first_render_s"] = round(time.perf_counter() - t0, 3)
    # where the time went (browser clock, from navigation start): session up and script started,
    # script finished (its deltas are on screen)
    marks = page.evaluate("window.__stMarks")
    started = next((t for st, t in marks if st == "running"), None)
    done = next((t for st, t in marks if st == "notRunning" and started is not None and t >= started), None)
    if started is not None and done is not None:
        result["first_script_start_s"] = round(started / 1000, 3)
        result["first_script_run_s"] = round((done - started) / 1000, 3)
    _assert_no_exception(page, spec, "on first render")
    assert page.locator(f"{MAIN} h1").count() >= 1, f"{spec.url_path}: no page title rendered"
    assert page.locator(f"{MAIN} {PLOT}").count() == 0, f"{spec.url_path}: a chart was drawn before it was opened"

    # 2. pages with a Run button: press it (timed), results appear
    run_btn = page.locator(RUN_BUTTON)
    if run_btn.count():
        result["run_s"] = _press_run(page, spec)

    # 3. change one input: the script reruns and a shown number changes (timed RERUNS times); on a
    #    Run page the results give way to "inputs changed" or, back at inputs already run, come back
    times: list[float] = []
    first_values: dict[str, str] = {}
    for i in range(RERUNS):
        before_metrics, before_text = _shown_numbers(page), _main_text(page)
        before_grids = _grid_pixels(page) if i == 0 else b""
        desc, rerun_s = _change_one_input(page, first_values)
        times.append(rerun_s)
        _assert_no_exception(page, spec, f"after changing {desc}")
        if i == 0:
            _wait_painted(page, f"rerun after changing {desc}")
            after_metrics, after_text = _shown_numbers(page), _main_text(page)
            result["rerun_input"] = desc
            # tables are drawn on a canvas (no text in the DOM): compare their pixels too
            assert (
                (before_metrics and after_metrics != before_metrics)
                or after_text != before_text
                or _grid_pixels(page) != before_grids
            ), (
                f"{spec.url_path}: changing {desc} reran the script but no shown number changed "
                f"(metrics {before_metrics} -> {after_metrics})"
            )
    result["rerun_s"] = round(statistics.median(times), 3)
    result["rerun_all_s"] = [round(t, 3) for t in times]

    # 3b. after the input changes a Run page shows "inputs changed": run again for the charts
    if run_btn.count() and page.locator(CHART_TOGGLE).count() == 0:
        _press_run(page, spec)

    # 4. open the first chart (timed: Plotly.js is loaded, parsed and draws on demand)
    toggles = page.locator(CHART_TOGGLE)
    if has_charts(spec):
        if not toggles.count():
            _assert_no_exception(page, spec, "before opening a chart")
            alerts = page.locator(f"{MAIN} [data-testid='stAlert']").all_inner_texts()
            pytest.fail(
                f"page {spec.url_path!r}: its source draws charts but shows no chart to open "
                f"(alerts shown: {alerts}). If the page needs a particular state to draw, add a query "
                f"string for it to PAGE_QUERY in {Path(__file__).name}.",
                pytrace=False,
            )
        t0 = time.perf_counter()
        # one click only: a repeated click on a busy page would close the expander again
        _act_and_wait(page, toggles.first.click, f"opening a chart on {spec.url_path}", attempts=1)
        _wait_charts(page, spec, "after opening a chart")
        result["chart_open_s"] = round(time.perf_counter() - t0, 3)
        _assert_no_exception(page, spec, "after opening a chart")

    # 5. sidebar navigation: away to another page (the default one, first in the list), then back by
    #    title; the chart opened above stays open (remembered for the session)
    others = [s for s in PAGE_SPECS if s.url_path != spec.url_path]
    if others:
        other = next((s for s in others if s.default), others[0])
        _click_and_wait(page, _nav_link(page, other), f"navigating to {other.url_path}")
        t0 = time.perf_counter()
        link = _nav_link(page, spec)
        result["nav_clicks"] = _click_and_wait(page, link, f"navigating back to {spec.url_path}")
        if has_charts(spec) and not run_btn.count():
            _wait_charts(page, spec, "after sidebar navigation (the opened chart is remembered)")
        _wait_painted(page, f"navigating back to {spec.url_path}")
        result["nav_render_s"] = round(time.perf_counter() - t0, 3)
        _assert_no_exception(page, spec, "after sidebar navigation")
        assert link.get_attribute("aria-current") == "page", f"nav link {spec.title!r} is not the current page"


def save_screenshot(page, path: Path) -> None:
    """Element screenshot of the main block. Streamlit scrolls inside its own container and only
    paints what is in the viewport, so the viewport is first stretched to the content height."""
    path.parent.mkdir(parents=True, exist_ok=True)
    main = page.locator(MAIN)
    height = int(main.evaluate("e => e.scrollHeight"))
    size = page.viewport_size or {"width": 1400, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": min(max(size["height"], height + 200), 12_000)})
    try:
        page.wait_for_timeout(300)  # let charts/tables relayout at the new size
        main.screenshot(path=str(path), timeout=TIMEOUT_MS, animations="disabled")
    finally:
        page.set_viewport_size(size)
