"""Issue 14 §2–§4 in a real browser: every page listed and reachable by its URL, a copied link
reproduces a page in a new browser, and every page in 简体中文 (screenshots in
test-artifacts/screenshots/zh/, drawn with the CJK font `make test` installs)."""

from __future__ import annotations

import re

import pytest

from dashboard.page_registry import PAGE_SPECS
from tests.browser.test_pages_browser import MAIN, SCREENSHOTS, _assert_no_exception, _wait_painted, save_screenshot

pytestmark = pytest.mark.browser
APP = "[data-testid='stApp']"
NAV = "[data-testid='stSidebarNav']"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _open(page, url: str) -> None:
    page.goto(url, wait_until="commit")
    page.locator(f"{APP}[data-test-connection-state='CONNECTED']").wait_for(state="attached")
    page.locator(f"{MAIN} h1").first.wait_for(state="attached")
    page.locator(f"{APP}[data-test-script-state='notRunning']").wait_for(state="attached")
    _wait_painted(page, url)


def _label(link_text: str) -> str:
    """A nav link's title (its text also holds the icon's ligature name on the first line)."""
    return link_text.strip().split("\n")[-1].strip()


def _metrics(page) -> list[str]:
    return page.locator(f"{MAIN} [data-testid='stMetricValue']").all_inner_texts()


def test_every_page_listed_and_its_url_opens_it(page, streamlit_server) -> None:
    _open(page, streamlit_server + "/")
    nav = page.locator(NAV)
    assert nav.locator("[data-testid='stSidebarNavViewButton']").count() == 0, "a 'View more' fold hides pages"
    links = nav.get_by_role("link")
    visible = [_label(links.nth(i).inner_text()) for i in range(links.count()) if links.nth(i).is_visible()]
    assert len(visible) == len(PAGE_SPECS), visible
    for spec in PAGE_SPECS:
        assert spec.title in visible, (spec.title, visible)
    # test_pages_browser opens every other page by its registry URL; the default page is served at
    # "/", and its registry URL (/overview) must open it too
    for spec in [s for s in PAGE_SPECS if s.default]:
        _open(page, f"{streamlit_server}/{spec.url_path}")
        _assert_no_exception(page, spec, f"opened at /{spec.url_path}")
        current = nav.locator("[aria-current='page']")
        assert page.url.split("?")[0].endswith("/" + spec.url_path), page.url
        if not spec.default:  # the default page's alias is a hidden entry: nothing is highlighted
            assert _label(current.inner_text()) == spec.title


def test_copied_link_reproduces_the_page(browser, page, streamlit_server) -> None:
    _open(page, streamlit_server + "/quick_memory")
    # sidebar: another model preset; page: another context length
    sb = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
    sb.locator("input").click()
    page.keyboard.type("Qwen3-8B")  # filters the (virtualised) option list
    option = page.get_by_role("option", name=re.compile(r"Qwen3[- ]8B", re.I)).first
    option.wait_for(state="visible")
    option.click()
    page.wait_for_function("() => location.search.includes('model=qwen3-8b')")
    page.locator(f"{APP}[data-test-script-state='notRunning']").wait_for(state="attached")
    # sidebar: a fitted engine profile (it changes the latency source in the header)
    eng = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Serving engine")
    eng.locator("input").click()
    page.keyboard.type("h200+trtllm")
    page.get_by_role("option", name="h200+trtllm").first.click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('sb_engine') === 'h200+trtllm'")
    page.locator(f"{APP}[data-test-script-state='notRunning']").wait_for(state="attached")
    field = page.locator(f"{MAIN} [data-testid='stNumberInput'] input").nth(2)  # context per sequence
    field.fill("4096")
    field.press("Enter")
    page.wait_for_function("() => location.search.includes('context=4096')")
    page.locator(f"{APP}[data-test-script-state='notRunning']").wait_for(state="attached")
    _wait_painted(page, "quick_memory after the changes")
    link, numbers = page.url, _metrics(page)
    header = page.locator(f"{MAIN} [data-testid='stMarkdownContainer']").filter(has_text="Model:").first.inner_text()
    assert numbers and "qwen3-8b" in header.lower() and "trtllm (fitted)" in header
    other = browser.new_context(viewport={"width": 1400, "height": 1000})  # a new browser: no session
    try:
        fresh = other.new_page()
        fresh.set_default_timeout(60_000)
        _open(fresh, link)
        assert _metrics(fresh) == numbers
        again = fresh.locator(f"{MAIN} [data-testid='stMarkdownContainer']").filter(has_text="Model:").first
        assert again.inner_text() == header
    finally:
        other.close()


def test_every_page_in_chinese(page, streamlit_server) -> None:
    shots = SCREENSHOTS / "zh"
    for spec in PAGE_SPECS:
        query = "lang=zh" + ("&model=qwen3-30b-a3b" if spec.url_path == "experts_calculation" else "")
        _open(page, f"{streamlit_server}/{spec.url_path}?{query}")
        _assert_no_exception(page, spec, "in Chinese")
        title = page.locator(f"{MAIN} h1").first.inner_text()
        assert CJK.search(title), f"{spec.url_path}: title {title!r} is not in Chinese"
        nav_titles = [_label(t) for t in page.locator(NAV).get_by_role("link").all_inner_texts()]
        assert all(CJK.search(t) for t in nav_titles if t), nav_titles
        save_screenshot(page, shots / f"{spec.url_path}.png")
