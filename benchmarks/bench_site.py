"""`owcheck site` on 10,000 synthetic reports: build time, and how soon the index is usable.

    python benchmarks/bench_site.py [--models 10000] [--runs 5]

Build: reading and checking the JSONL, rendering, writing ~10,000 files, each the median of
``--runs``; beside it, the floor of the same work (``json.loads`` of every line and writing the
same bytes to the same number of files), measured in the same run because the machine is shared.

Browser (Debian's Chromium, headless, through Playwright, from ``file://``): milliseconds from
navigation start until the script has paged the table and its controls work (``data-ready``),
and until the HTML was parsed (DOMContentLoaded starts). Beside it, in the same run, the floor:
the same index.html whose script only marks the document (so rows past the first page are not
laid out, as with ours) and does nothing else: the browser's own cost of reading the table.
And the page as a reader without JavaScript gets it (every row laid out). Then one sort, one
tier filter and one text filter over all rows, timed inside the page.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from openweights.site import build_site, write_site  # noqa: E402
from openweights.site.reports import read_reports  # noqa: E402
from tests.site.browser import CHROMIUM_ARGS, find_chromium  # noqa: E402
from tests.site.synthetic import reports, write_jsonl  # noqa: E402

INTERACTIONS = """() => {
  const out = {};
  let t = performance.now();
  document.querySelector('th[data-key="grade"] button').click();
  document.querySelector('th[data-key="grade"] button').click();
  out['sort by grade'] = performance.now() - t;
  const tier = document.getElementById('f-tier');
  tier.value = 'open-weights';
  t = performance.now();
  tier.dispatchEvent(new Event('change'));
  out['filter by tier'] = performance.now() - t;
  document.getElementById('f-q').value = 'model-01';
  t = performance.now();
  document.getElementById('filters').requestSubmit();
  out['filter by text'] = performance.now() - t;
  return out;
}"""
"""One sort (two clicks: A first, then F first), one tier filter, one text filter, each timed
inside the page over all rows (the handlers run synchronously)."""


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def floor_work(jsonl: Path, files: dict[str, bytes], out: Path) -> None:
    """Parse every line and write the same bytes to as many files: what any tool must do."""
    with jsonl.open(encoding="utf-8") as handle:
        for line in handle:
            json.loads(line)
    if out.exists():
        shutil.rmtree(out)
    (out / "models").mkdir(parents=True)
    for rel, data in files.items():
        (out / rel).write_bytes(data)


def bench_build(jsonl: Path, work: Path, runs: int) -> dict[str, bytes]:
    loaded = read_reports([jsonl])
    files = build_site(loaded.reports)
    read = median_ms(lambda: read_reports([jsonl]), runs)
    render = median_ms(lambda: build_site(loaded.reports), runs)

    def write() -> None:
        target = work / "site"
        if target.exists():
            shutil.rmtree(target)
        write_site(files, target)

    written = median_ms(write, runs)
    floor = median_ms(lambda: floor_work(jsonl, files, work / "floor"), runs)
    total = sum(len(v) for v in files.values())
    print(f"site: {len(files)} files, {total / 1e6:.1f} MB "
          f"(index.html {len(files['index.html']) / 1e6:.2f} MB)")
    print(f"{'build step':<44}{'median ms':>10}")
    print(f"{'read and check the JSONL':<44}{read:>10.0f}")
    print(f"{'render every page':<44}{render:>10.0f}")
    print(f"{'write the files':<44}{written:>10.0f}")
    print(f"{'owcheck site, all three':<44}{read + render + written:>10.0f}")
    print(f"{'floor: json.loads + write the same bytes':<44}{floor:>10.0f}")
    return files


def bench_browser(site: Path, runs: int) -> None:
    executable = find_chromium()
    if executable is None:
        print("browser: no Chromium found; skipped")
        return
    from playwright.sync_api import ViewportSize, sync_playwright

    index = site / "index.html"
    html = index.read_bytes()
    our_script = b'<script src="site.js"></script>'
    bare = site / "index-noscript.html"
    bare.write_bytes(html.replace(our_script, b""))
    (site / "floor.js").write_text('document.documentElement.classList.add("js");\n')
    floor_page = site / "index-floor.html"
    floor_page.write_bytes(html.replace(our_script, b'<script src="floor.js"></script>'))
    nav = "performance.getEntriesByType('navigation')[0]"
    viewport: ViewportSize = {"width": 1280, "height": 900}
    ready: list[float] = []
    dcl: list[float] = []
    floor: list[float] = []
    noscript: list[float] = []
    timings: dict[str, list[float]] = {"sort by grade": [], "filter by tier": [],
                                       "filter by text": []}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)

        def ours(record: bool) -> None:
            page = browser.new_page(viewport=viewport)
            page.goto(index.as_uri())
            page.wait_for_selector("html[data-ready]")
            if record:
                ready.append(float(page.get_attribute("html", "data-ready") or "nan"))
                dcl.append(page.evaluate(f"{nav}.domContentLoadedEventStart"))
                measured: dict[str, float] = page.evaluate(INTERACTIONS)
                for key, value in measured.items():
                    timings[key].append(value)
            page.close()

        def other(url: str, into: list[float] | None) -> None:
            page = browser.new_page(viewport=viewport)
            page.goto(url)
            if into is not None:
                into.append(page.evaluate(f"{nav}.domContentLoadedEventEnd"))
            page.close()

        ours(False)  # warm the file cache and the browser for both pages
        other(floor_page.as_uri(), None)
        for run in range(runs):  # alternate which page goes first
            if run % 2:
                other(floor_page.as_uri(), floor)
                ours(True)
            else:
                ours(True)
                other(floor_page.as_uri(), floor)
        for _ in range(runs):
            other(bare.as_uri(), noscript)
        browser.close()
    print(f"\nbrowser: Chromium {executable}, file://, median of {runs}")
    print(f"{'index page':<56}{'median ms':>10}{'max ms':>9}")
    print(f"{'interactive (script done: table paged, controls live)':<56}"
          f"{statistics.median(ready):>10.0f}{max(ready):>9.0f}")
    print(f"{'  of which: HTML parsed (DOMContentLoaded starts)':<56}"
          f"{statistics.median(dcl):>10.0f}{max(dcl):>9.0f}")
    print(f"{'floor: same HTML, a script that only marks the page':<56}"
          f"{statistics.median(floor):>10.0f}{max(floor):>9.0f}")
    print(f"{'without JavaScript: every row laid out':<56}"
          f"{statistics.median(noscript):>10.0f}{max(noscript):>9.0f}")
    for key, values in timings.items():
        label = f"{key} (all rows)"
        print(f"{label:<56}{statistics.median(values):>10.1f}{max(values):>9.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        jsonl = write_jsonl(work / "reports.jsonl", reports(args.models))
        print(f"{args.models} synthetic reports, {jsonl.stat().st_size / 1e6:.1f} MB of JSONL")
        bench_build(jsonl, work, args.runs)
        bench_browser(work / "site", args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
