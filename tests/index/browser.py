"""Headless Chromium through selenium and chromedriver (Debian's ``chromium-driver``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DRIVERS = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1200,900",
)


def find_browser() -> tuple[str, str] | None:
    """``(chromium, chromedriver)`` paths when both are installed."""
    browser = next((p for p in (shutil.which(b) for b in BROWSERS) if p), None)
    driver = shutil.which("chromedriver") or next((d for d in DRIVERS if Path(d).is_file()), None)
    return (browser, driver) if browser and driver else None


@contextmanager
def chrome(profile: Path) -> Iterator[Any]:
    """A headless Chromium with a fresh profile in ``profile``; ``None`` when not installed."""
    found = find_browser()
    if found is None:
        yield None
        return
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(executable_path=found[1]), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_ready(driver: Any, timeout: float = 30.0) -> float:
    """Wait until the catalog index has listed its connectors; return when (ms after start)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.documentElement.dataset.catalogReady")
    )
    return float(driver.execute_script("return document.documentElement.dataset.readyMs"))
