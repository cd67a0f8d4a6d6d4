"""Main-thread cost of the watcher on a page making 5,000 DOM mutations per second.

The page holds a 300-row table full of business words and, every 10 ms, makes 50
mutations (cell texts, class changes, rows added and removed). Chromium's own
TaskDuration metric (main-thread busy time, via CDP Performance.getMetrics) is read over
the same window with and without the companion attached; the difference divided by the
wall time is the watcher's share of the main thread. Target: under 5 %.

    python benchmarks/watcher_overhead.py [--seconds 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, sync_playwright

from interceptor import load_rules
from interceptor.browser import launch_options
from interceptor.classify import RuleSet
from interceptor.companion import attach

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<ul><li>人员基础信息采集</li><li>灵活就业人员停保登记</li><li>失业金发放信息查询</li><li>户籍性质维护</li></ul>
<table id="t"></table>
<script>
const WORDS = ["人员基础信息采集", "户籍性质", "灵活就业人员", "参保身份", "失业金发放信息", "人员编号", "单位编号"];
const t = document.getElementById("t");
for (let i = 0; i < 300; i++) {
  const tr = t.insertRow();
  for (let j = 0; j < 4; j++) tr.insertCell().textContent = WORDS[(i + j) % WORDS.length] + i;
}
let n = 0;
window.mutations = 0;
window.startMutating = () => setInterval(() => {
  for (let k = 0; k < 50; k++, n++) {
    const row = t.rows[n % t.rows.length];
    switch (k % 5) {
      case 0: case 1: row.cells[n % 4].textContent = WORDS[n % WORDS.length] + n; break;
      case 2: row.className = n % 2 ? "odd" : "even"; break;
      case 3: { const r = t.insertRow(); r.insertCell().textContent = "新增" + WORDS[n % WORDS.length]; break; }
      case 4: t.deleteRow(t.rows.length - 1); break;
    }
    window.mutations++;
  }
}, 10);
</script></body></html>"""


def measure(browser: Browser, rules: RuleSet | None, seconds: float) -> tuple[float, float]:
    """(main-thread busy seconds per wall second, mutations per second)."""
    context = browser.new_context()
    page = context.new_page()
    page.route("http://bench.test/**", lambda route: route.fulfill(body=PAGE, content_type="text/html"))
    companion = attach(context, rules=rules) if rules is not None else None
    page.goto("http://bench.test/")
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.evaluate("() => startMutating()")
    page.wait_for_timeout(500)

    def busy() -> float:
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return float(metrics["TaskDuration"])

    m0, b0, w0 = page.evaluate("() => window.mutations"), busy(), time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    m1, b1, w1 = page.evaluate("() => window.mutations"), busy(), time.perf_counter()
    if companion is not None:
        assert companion.events == [], "menu and table text must not raise events"
    context.close()
    wall = w1 - w0
    return (b1 - b0) / wall, (m1 - m0) / wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rules = load_rules()
    without: list[float] = []
    with_watcher: list[float] = []
    rates: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_options(headless=True))
        for _ in range(args.repeat):  # interleaved, so background load hits both alike
            busy, rate = measure(browser, None, args.seconds)
            without.append(busy)
            rates.append(rate)
            busy, rate = measure(browser, rules, args.seconds)
            with_watcher.append(busy)
            rates.append(rate)
        browser.close()
    base, watched = statistics.median(without), statistics.median(with_watcher)
    overhead = watched - base
    print(f"mutations per second: {statistics.median(rates):,.0f}")
    print(f"main thread busy: without watcher {base:.1%}, with watcher {watched:.1%} of wall time")
    print(f"watcher cost: {overhead:.1%} of the main thread (target < 5 %):", "met" if overhead < 0.05 else "NOT met")
    return 0 if overhead < 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
