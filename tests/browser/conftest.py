"""Headless Debian Chromium driven by Playwright; never a downloaded browser."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop on the test thread; the ORM calls the tests make
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("FRONTDOOR_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "src/frontdoor/static/vendor/axe/axe.min.js"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def assert_accessible(page) -> None:
    """Run axe-core (vendored from npm) against the page: no WCAG 2.2 A/AA violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    problems = []
    for violation in result["violations"]:
        nodes = [n for n in violation["nodes"] if not _govuk_conditional_reveal(violation, n)]
        if nodes:
            targets = [n["target"] for n in nodes][:3]
            problems.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
            )
    assert not problems, f"{page.url}: " + "; ".join(problems)


def _govuk_conditional_reveal(violation: dict, node: dict) -> bool:
    """GOV.UK Frontend's radios and checkboxes with conditional content set aria-expanded on the
    input. Axe reports it as not allowed; GOV.UK keeps it on purpose after research with screen
    reader users (alphagov/govuk-frontend#979, a documented known issue). Only that is let
    through."""
    return (
        violation["id"] == "aria-allowed-attr"
        and ("govuk-radios__input" in node["html"] or "govuk-checkboxes__input" in node["html"])
        and "aria-expanded" in node.get("failureSummary", "")
    )
