"""Playwright driving Debian's Chromium against pytest-django's live server.

Skips without Chromium locally; on CI (``CI`` set) a missing browser fails the run.
Every page is watched for JavaScript errors and failed requests, and key pages are
saved as PNG screenshots under tests/browser/screenshots/ (kept out of git). Helpers to
import (screenshots, axe-core checks, the journey's data and labels) are in helpers.py.
"""

import os
from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, require

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium():
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements-dev
        require(False, "playwright is not installed")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class PageProblems:
    """Console errors, uncaught exceptions and failed requests seen by one page."""

    def __init__(self, page, base_url: str):
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))
        page.on(
            "response",
            lambda r: (
                r.url.startswith(base_url)
                and r.status >= 400
                and r.status != 429
                and self.errors.append(f"{r.status}: {r.url}")
            ),
        )


@pytest.fixture
def browser_page(chromium, live_server, request):
    from mastermind.celery import app as celery_app

    # Emails are queued through Celery; in the browser journey they run at once.
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    language = getattr(request, "param", "de")
    context = chromium.new_context(
        locale="de-DE" if language == "de" else "en-GB",
        extra_http_headers={"Accept-Language": language},
        timezone_id="Europe/Berlin",
        viewport={"width": 1200, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    problems = PageProblems(page, live_server.url)
    page.problems = problems
    page.language = language
    yield page
    context.close()
    celery_app.conf.task_always_eager = previous
    assert problems.errors == [], problems.errors
