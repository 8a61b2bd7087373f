"""Print an HTML file to PDF with headless Chromium (Playwright driving /usr/bin/chromium)."""

from __future__ import annotations

from pathlib import Path

from railwatch.errors import RailwatchError

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


class PdfUnavailable(RailwatchError):
    """No Chromium to print with: the HTML report is still written."""


def available() -> bool:
    """Whether Chromium and Playwright are here to print PDFs."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).is_file()


def render(html_path: Path, pdf_path: Path) -> Path:
    """Print `html_path` to `pdf_path` (A4, backgrounds on); written whole or not at all."""
    if not available():
        raise PdfUnavailable(f"{CHROMIUM} not found: wrote the HTML report only")
    from playwright.sync_api import sync_playwright

    tmp = pdf_path.with_name(pdf_path.name + ".part")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = browser.new_page()
                page.goto(html_path.resolve().as_uri(), wait_until="load")
                page.pdf(path=str(tmp), format="A4", print_background=True,
                         margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"})
            finally:
                browser.close()
        tmp.replace(pdf_path)
    finally:
        tmp.unlink(missing_ok=True)
    return pdf_path
