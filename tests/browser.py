"""Headless Chromium for the tests that look at a page (Debian's chromium + playwright).

The launch flags are the ones this machine's closed network needs (no
background connections); the page records console errors and every request
that leaves the allowed origins.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Skip a test when the browser is not installed.
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"
)


@dataclass
class Watched:
    """A page with what it printed as errors and what it fetched from elsewhere."""

    page: Any
    errors: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)


@contextmanager
def headless_page(allowed: tuple[str, ...]) -> Iterator[Watched]:
    """A fresh page in a fresh profile; requests outside ``allowed`` are recorded."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS
        )
        try:
            page = context.new_page()
            watched = Watched(page)
            page.on(
                "console",
                lambda m: watched.errors.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: watched.errors.append(str(e)))
            page.on(
                "request",
                lambda r: (
                    watched.remote.append(r.url)
                    if not r.url.startswith(allowed)
                    else None
                ),
            )
            yield watched
        finally:
            context.close()
