"""The site in a real browser (Debian's Chromium, headless), opened from ``file://``.

Each test builds a site into its temporary directory, so the screenshots it takes stay there
as artifacts (``<tmp>/shots/*.png``).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from openweights.site import build_site, write_site
from openweights.site.names import page_names
from tests.site.browser import watch
from tests.site.example import ExampleSite
from tests.site.synthetic import report, reports
from tests.site.test_render import PAYLOADS, hostile_report

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

COUNT = 260
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _site(tmp_path: Path, items: list[dict[str, Any]]) -> Path:
    out = tmp_path / "site"
    write_site(build_site(items, title="Test index"), out)
    return out


@pytest.fixture
def items() -> list[dict[str, Any]]:
    found = reports(COUNT - 2)
    rng = random.Random(8)
    # Two models from disk: an organisation the script cannot read off the id.
    for i, name in enumerate(("models/local-a", "models/local-b")):
        item = report(COUNT + i, rng)
        item["subject"] = {"id": name, "source": "local", "revision": None}
        found.append(item)
    return found


def _ready(page: Page, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.locator("html")).to_have_attribute("data-ready", re.compile(r"^\d+$"))


def _column(page: Page, key: str) -> list[str]:
    """The texts of column ``key`` in the rows shown now."""
    index = page.evaluate(
        "(key) => [...document.querySelectorAll('#models thead th')]"
        ".findIndex(th => th.dataset.key === key)",
        key,
    )
    assert index >= 0, key
    texts: list[str] = page.evaluate(
        "(i) => [...document.querySelectorAll('#models tbody tr')]"
        ".map(tr => tr.cells[i].textContent)",
        index,
    )
    return texts


def _status(page: Page) -> str:
    return page.locator("#status").inner_text()


def test_index_sorts_filters_pages_and_links(
    browser: Browser, tmp_path: Path, items: list[dict[str, Any]]
) -> None:
    from playwright.sync_api import expect

    site = _site(tmp_path, items)
    shots = tmp_path / "shots"
    page = browser.new_page(viewport=DESKTOP)
    watched = watch(page)
    _ready(page, (site / "index.html").as_uri())

    # Every model is in the table; the script shows the first page of 100.
    expect(page.locator("#status")).to_have_text(f"Showing 1–100 of {COUNT} models.")
    expect(page.locator("#models tbody tr")).to_have_count(100)
    expect(page.locator("#pageinfo")).to_have_text("Page 1 of 3")
    page.screenshot(path=str(shots / "index-desktop.png"), full_page=True)

    # Sort by grade: the first click is A first, the second F first (keyboard: Enter).
    grade = page.locator('th[data-key="grade"] button')
    grade.click()
    expect(page.locator('th[data-key="grade"]')).to_have_attribute("aria-sort", "ascending")
    assert _column(page, "grade")[0] == "A"
    grade.focus()
    page.keyboard.press("Enter")
    expect(page.locator('th[data-key="grade"]')).to_have_attribute("aria-sort", "descending")
    shown = _column(page, "grade")
    assert shown == sorted(shown, key="ABCDF".index, reverse=True) and shown[0] == "F"

    # Sort by model id, then page forward.
    page.locator('th[data-key="model"] button').click()
    expect(page.locator("#models caption")).to_have_text("Models sorted by Model (A to Z)")
    ids = sorted(item["subject"]["id"] for item in items)
    assert _column(page, "model")[:100] == ids[:100]
    page.locator("#next").click()
    expect(page.locator("#status")).to_have_text(f"Showing 101–200 of {COUNT} models.")
    assert _column(page, "model")[0] == ids[100]

    # Filter by tier: the count and every row follow; the other selects' counts update.
    tiers = Counter(item["tier"] for item in items)
    page.locator("#f-tier").select_option("restricted-weights")
    restricted = tiers["restricted-weights"]
    expect(page.locator("#status")).to_have_text(
        f"Showing 1–{min(restricted, 100)} of {restricted} models ({COUNT} in all).")
    assert set(_column(page, "tier")) == {"restricted-weights"}
    licenses = Counter(item["components"]["weights"]["license"]["id"] or "none"
                       for item in items if item["tier"] == "restricted-weights")
    for lic, n in licenses.items():
        expect(page.locator(f'#f-license option[value="{lic}"]')).to_have_text(f"{lic} ({n})")

    # Filter by text on top: only matching rows, in every column's text.
    page.locator("#f-q").fill("model-001")
    wanted = [i for i in items if i["tier"] == "restricted-weights"
              and "model-001" in i["subject"]["id"]]
    expect(page.locator("#status")).to_contain_text(f"of {len(wanted)} model")
    assert sorted(_column(page, "model")) == sorted(i["subject"]["id"] for i in wanted)
    # The tier select now counts what the text filter leaves, per tier.
    text_only = Counter(i["tier"] for i in items if "model-001" in i["subject"]["id"])
    expect(page.locator('#f-tier option[value="fully-open"]')).to_have_text(
        f"A fully-open ({text_only['fully-open']})")

    # The view is in the URL: a reload keeps it.
    assert "tier=restricted-weights" in page.url and "q=model-001" in page.url
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-ready", re.compile(r"^\d+$"))
    expect(page.locator("#f-q")).to_have_value("model-001")
    expect(page.locator("#status")).to_contain_text(f"of {len(wanted)} model")

    # Organisation: a local model's organisation is read from the row, not the id.
    page.locator("#f-reset").click()
    expect(page.locator("#status")).to_have_text(f"Showing 1–100 of {COUNT} models.")
    page.locator("#f-org").fill("(local)")
    expect(page.locator("#status")).to_have_text(f"Showing 1–2 of 2 models ({COUNT} in all).")
    page.locator("#f-org").fill("")
    page.locator("#f-q").fill("no model has this text")
    expect(page.locator("#status")).to_have_text(
        f"No model matches these filters ({COUNT} in all).")
    page.locator("#f-reset").click()
    expect(page.locator("#status")).to_have_text(f"Showing 1–100 of {COUNT} models.")

    # Follow a model link, and come back.
    first = page.locator("#models tbody tr").first.locator("a")
    target_id = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(target_id)
    assert page.url.endswith(page_names([i["subject"]["id"] for i in items])[target_id])
    page.screenshot(path=str(shots / "model-desktop.png"), full_page=True)
    page.locator(".back a").click()
    expect(page.locator("html")).to_have_attribute("data-ready", re.compile(r"^\d+$"))
    watched.assert_quiet()
    assert (shots / "index-desktop.png").stat().st_size > 10_000
    page.close()


def test_phone_width_scrolls_the_table_not_the_page(
    browser: Browser, tmp_path: Path, items: list[dict[str, Any]]
) -> None:
    from playwright.sync_api import expect

    site = _site(tmp_path, items)
    shots = tmp_path / "shots"
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    watched = watch(page)
    _ready(page, (site / "index.html").as_uri())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    page.screenshot(path=str(shots / "index-phone.png"), full_page=False)
    page.locator("#models tbody tr").first.locator("a").click()
    expect(page.locator("table.grid")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    # The scorecard becomes one labelled block per component.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('table.grid td')).display") == "block"
    page.screenshot(path=str(shots / "model-phone.png"), full_page=True)
    watched.assert_quiet()
    assert (shots / "model-phone.png").stat().st_size > 5_000
    page.close()


def test_without_javascript_every_row_is_readable(
    browser: Browser, tmp_path: Path, items: list[dict[str, Any]]
) -> None:
    from playwright.sync_api import expect

    site = _site(tmp_path, items)
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    rows = page.locator("#models tbody tr")
    expect(rows).to_have_count(COUNT)
    expect(rows.last).to_be_visible()
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator("#status")).to_have_text(f"{COUNT} models.")
    context.close()


def test_hostile_reports_run_no_script(browser: Browser, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    hostile = [hostile_report(p, i) for i, p in enumerate(PAYLOADS)]
    site = _site(tmp_path, [*reports(5), *hostile])
    page = browser.new_page(viewport=DESKTOP)
    watched = watch(page)
    _ready(page, (site / "index.html").as_uri())
    expect(page.locator("#status")).to_have_text(f"Showing 1–{5 + len(PAYLOADS)} of "
                                                 f"{5 + len(PAYLOADS)} models.")
    page.locator("#f-q").fill("<script>")
    expect(page.locator("#status")).to_contain_text("of 1 model")
    # A crafted address cannot break the script: unknown keys and values fall back.
    page.goto((site / "index.html").as_uri()
              + "#sort=__proto__&dir=x&page=999&size=7&tier=__proto__&license=constructor"
              "&org=constructor&q=%3Cimg%20src%3Dx%3E")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-ready", re.compile(r"^\d+$"))
    expect(page.locator("#status")).to_have_text(
        f"No model matches these filters ({5 + len(PAYLOADS)} in all).")
    expect(page.locator("#f-tier")).to_have_value("")
    names = page_names(i["subject"]["id"] for i in hostile)
    for item in hostile:
        page.goto((site / names[item["subject"]["id"]]).as_uri())
        expect(page.locator("h1")).to_have_text(
            item["subject"]["id"].replace("\x00", "\ufffd").replace("\x07", "\ufffd")
            .replace("\ud800", "\ufffd"))
    # A script that got through would have run (a dialog) or been blocked by the page's
    # Content Security Policy (a console error): neither happened.
    watched.assert_quiet()
    page.close()


def test_the_example_site_links_models_to_their_bases(
    browser: Browser, example_site: ExampleSite, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    shots = tmp_path / "shots"
    page = browser.new_page(viewport=DESKTOP)
    watched = watch(page)
    _ready(page, (example_site.directory / "index.html").as_uri())
    count = len(example_site.reports)
    expect(page.locator("#status")).to_have_text(f"Showing 1–{count} of {count} models.")
    page.locator("#f-q").fill("llama-style-lora")
    expect(page.locator("#status")).to_have_text(f"Showing 1–1 of 1 model ({count} in all).")
    page.get_by_role("link", name="launder/llama-style-lora").click()
    expect(page.locator("h1")).to_have_text("launder/llama-style-lora")
    expect(page.locator(".badge")).to_have_text("D")
    page.screenshot(path=str(shots / "example-model.png"), full_page=True)
    # The lineage tree links the base model to its own page in the site.
    page.locator("ul.tree").get_by_role("link", name="examplemeta/llama-style-8b").click()
    expect(page.locator("h1")).to_have_text("examplemeta/llama-style-8b")
    # The browser's Back button returns to the filtered view (kept in the URL) ...
    page.go_back()
    page.go_back()
    expect(page.locator("html")).to_have_attribute("data-ready", re.compile(r"^\d+$"))
    expect(page.locator("#f-q")).to_have_value("llama-style-lora")
    expect(page.locator("#status")).to_have_text(f"Showing 1–1 of 1 model ({count} in all).")
    # ... and the page's own link back leads to every model.
    page.get_by_role("link", name="launder/llama-style-lora").click()
    page.locator(".back a").click()
    expect(page.locator("#status")).to_have_text(f"Showing 1–{count} of {count} models.")
    watched.assert_quiet()
    page.close()
