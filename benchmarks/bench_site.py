"""Catalog site generation for 2,000 connectors, and how soon its index page is usable.

    python benchmarks/bench_site.py [COUNT]

Prints: the time to build every page from verified versions (what ``flows registry site``
does after verifying: catalog entries from the specs and statements, then rendering), the
time to render from cached entries (what a publish or refresh does for unchanged versions),
the time to write the files, and, when Chromium and chromedriver are installed, the time
from navigation start until the index page has listed every connector and accepts a query.
Target: generation <= 10 s for 2,000 connectors; index usable <= 1 s after load.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from registry.site import generate, render
from tests.index.synthetic import report


def browser_ready_ms(index: Path) -> float | None:
    """Milliseconds from navigation start until the catalog is ready, or None without a browser."""
    try:
        from tests.index.browser import chrome
    except ImportError:
        return None
    with chrome(Path(tempfile.mkdtemp(prefix="bench-chrome-"))) as driver:
        if driver is None:
            return None
        driver.get(index.as_uri())
        from tests.index.browser import wait_ready

        return wait_ready(driver)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    verified = report(count)
    links = render.Links(registry_url="https://registry.example/")

    started, cpu = time.perf_counter(), time.process_time()
    files = generate.site_from_report(verified, links, graphs=False)
    generation, generation_cpu = time.perf_counter() - started, time.process_time() - cpu

    entries = {
        name: [(generate.entry_of(info), None, None) for info in versions.values()]
        for name, versions in verified.connectors.items()
    }
    started = time.perf_counter()
    generate.build_site(entries, links, graphs=False)
    cached = time.perf_counter() - started

    out = Path(tempfile.mkdtemp(prefix="bench-site-")) / "site"
    started = time.perf_counter()
    generate.write_files(files, out)
    writing = time.perf_counter() - started
    size = sum(len(data) for data in files.values())
    index_size = len(files[render.CATALOG_JS])
    print(
        f"connectors: {count} ({len(files)} files, {size / 1e6:.1f} MB; "
        f"index {index_size / 1e3:.0f} kB)"
    )
    print(
        f"site generation from verified versions: {generation:.2f} s wall, "
        f"{generation_cpu:.2f} s CPU (target <= 10 s)"
    )
    print(f"  of which rendering from cached catalog entries: {cached:.2f} s")
    print(f"writing the files: {writing:.2f} s")
    ready = browser_ready_ms(out / "index.html")
    if ready is None:
        print("index page usable after: not measured (no Chromium/chromedriver/selenium)")
    else:
        print(f"index page usable after: {ready:.0f} ms from navigation start (target <= 1000 ms)")
    shutil.rmtree(out.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
