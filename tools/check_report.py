"""Open the tour's report in a real headless browser: no errors, every image decodes, a screenshot.

    python tools/check_report.py out/index.html [--screenshot out/report-screenshot.png]

Uses Debian's `chromium` (``apt-get install chromium``; `.ci/run` installs it) or any
Chrome/Chromium found on PATH. The page is loaded from a copy with a small script prepended that
records, in the DOM, every error event (a script error or a resource that failed to load),
every ``console.error`` call and each image's ``naturalWidth``/``naturalHeight``; ``--dump-dom``
hands that record back. Then the whole page is screenshotted (scaled down if taller than 16k px).
Exit status 0 if the page is clean, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

_PROBE = """<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && (t.src || t.href)) { errors.push("failed to load " + (t.src || t.href)); }
    else { errors.push("error: " + (e.message || e)); }
  }, true);
  window.addEventListener("unhandledrejection", function (e) { errors.push("unhandled: " + e.reason); });
  var consoleError = console.error;
  console.error = function () {
    errors.push("console.error: " + Array.prototype.join.call(arguments, " "));
    consoleError.apply(console, arguments);
  };
  window.addEventListener("load", function () {
    var images = Array.prototype.map.call(document.images, function (img) {
      return {src: img.getAttribute("src"), width: img.naturalWidth, height: img.naturalHeight,
              complete: img.complete};
    });
    var out = document.createElement("pre");
    out.id = "browser-check";
    out.textContent = JSON.stringify({images: images, errors: errors,
                                      height: document.documentElement.scrollHeight});
    document.body.appendChild(out);
  });
})();
</script>"""


@dataclass
class BrowserReport:
    """What the browser saw: images (src, naturalWidth, naturalHeight), errors, page height."""

    browser: str
    images: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    height: int = 0
    screenshot: Path | None = None
    problems: list[str] = field(default_factory=list)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img" and values.get("src"):
            self.images.append(str(values["src"]))
        if tag == "a" and values.get("href") and not str(values["href"]).startswith("#"):
            self.links.append(str(values["href"]))


def find_browser() -> str | None:
    """The path of a Chrome/Chromium on PATH, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _run_browser(browser: str, url: str, profile: str, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        browser,
        "--headless",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--no-first-run",
        "--allow-file-access-from-files",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=15000",  # run the page until it is idle (images decoded, load fired)
        *extra,
        url,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def check_report(index: Path, screenshot: Path | None = None, browser: str | None = None) -> BrowserReport:
    """Load `index` in headless Chromium; return what it saw and the problems found."""
    index = Path(index).resolve()
    browser = browser or find_browser()
    if browser is None:
        raise FileNotFoundError("no Chromium/Chrome on PATH (Debian: apt-get install chromium)")
    page = index.read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(page)
    report = BrowserReport(browser=browser)
    for href in parser.links:  # the SVG links beside each figure
        if "://" not in href and not (index.parent / href).is_file():
            report.problems.append(f"link to a missing file: {href}")

    probe = index.with_name(f".browser-check-{os.getpid()}.html")  # same folder: same relative paths
    head = re.search(r"<head[^>]*>", page)
    cut = head.end() if head else 0
    probe.write_text(page[:cut] + _PROBE + page[cut:], encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
            done = _run_browser(browser, probe.as_uri(), profile, "--dump-dom")
            match = re.search(r'<pre id="browser-check">(.*?)</pre>', done.stdout, re.S)
            if done.returncode != 0 or not match:
                tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
                status = done.returncode
                report.problems.append(f"the browser did not finish loading the page (exit {status}): {tail}")
                return report
            seen = json.loads(_unescape(match.group(1)))
            report.images, report.errors, report.height = seen["images"], seen["errors"], int(seen["height"])
            if screenshot is not None:
                screenshot = Path(screenshot).resolve()
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                # The whole page in one picture; a page taller than Chromium's ~16k-pixel limit is
                # drawn at a smaller scale (still 1280 CSS pixels wide, so the layout is the same).
                height = max(600, report.height + 20)
                scale = min(1.0, int(16000 / height * 20) / 20)
                shot = _run_browser(
                    browser,
                    index.as_uri(),
                    profile,
                    f"--screenshot={screenshot}",
                    f"--window-size=1280,{height}",
                    f"--force-device-scale-factor={scale}",
                )
                if shot.returncode != 0 or not screenshot.is_file():
                    report.problems.append(f"no screenshot written (exit {shot.returncode})")
                else:
                    report.screenshot = screenshot
    finally:
        probe.unlink(missing_ok=True)

    report.problems += report.errors
    if len(report.images) != len(parser.images):
        seen, expected = len(report.images), len(parser.images)
        report.problems.append(f"the browser saw {seen} images, the page has {expected}")
    for image in report.images:
        if not image["complete"] or image["width"] <= 0 or image["height"] <= 0:
            report.problems.append(f"image does not decode: {image['src']} (naturalWidth {image['width']})")
    return report


def _unescape(text: str) -> str:
    """--dump-dom escapes &, < and > inside <pre>; undo that before parsing the JSON."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Check the tour's report in headless Chromium.")
    p.add_argument("index", type=Path, nargs="?", default=Path("out/index.html"))
    p.add_argument("--screenshot", type=Path, default=None, help="default: report-screenshot.png beside it")
    args = p.parse_args(argv)
    screenshot = args.screenshot or args.index.with_name("report-screenshot.png")
    try:
        report = check_report(args.index, screenshot)
    except (FileNotFoundError, subprocess.TimeoutExpired) as error:
        print(f"check_report: error: {error}", file=sys.stderr)
        return 1
    print(f"{report.browser}: {len(report.images)} images, page height {report.height} px")
    print(f"screenshot: {report.screenshot}")
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
