"""The review page end to end in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright; `make test` installs the browser when it is missing, see the Makefile's `browser`).

The run leaves screenshots in test-artifacts/ (gitignored): review-clustered.png once the names
are clustered, review-page.png after the confirmations and the split.
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
SCREENSHOT = ARTIFACTS / "review-page.png"
CLUSTERED = ARTIFACTS / "review-clustered.png"
# Flags for a sandboxed, offline machine: no first-run, sync or background requests.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
NAMES = [
    "Takht Ravanchi",
    "Takht Rwanchi",
    "Takht Ruanchi",
    "Majid Takht-Ravanchi",
    "Zelensky",
    "Зеленский",
    "Selenskyj",
    "Ondine Quarrington",
    "O. Quarrington",
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page(live_server) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run `make browser` (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server}/review")
        yield page
        context.close()
        browser.close()
        assert errors == [], errors


def _card(page, canonical):
    return page.locator(".entity").filter(has=page.locator(".canonical", has_text=canonical)).first


def _judgements(live_server, **params):
    r = httpx.get(f"{live_server}/v1/judgements", params=params)
    assert r.status_code == 200
    return r.json()


def test_registry_is_listed_on_load(page):
    page.wait_for_selector("#registry-list li")
    assert "entities" in page.inner_text("#registry-count")
    assert page.locator("#registry-list li").count() == 50


def test_cluster_pasted_names_and_see_the_weakest_link(page):
    page.fill("#names", "\n".join(NAMES))
    page.click("#cluster-button")
    page.wait_for_selector(".entity")
    assert "9 distinct names, 3 entities" in page.inner_text("#status")
    takht = _card(page, "Majid Takht-Ravanchi")
    assert takht.locator(".badge").inner_text() == "matched"
    assert takht.locator(".member").count() == 4
    assert "Takht Rwanchi" in takht.locator(".members").inner_text()
    weakest = takht.locator(".weakest-summary").inner_text()
    assert weakest.startswith("likely the same: ")
    assert _card(page, "Quarrington").locator(".badge").inner_text() == "new"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(CLUSTERED), full_page=True)
    assert CLUSTERED.stat().st_size > 10_000


def test_confirm_records_judgements(page, live_server):
    card = _card(page, "Volodymyr Zelensky")
    members = card.locator(".member").count()
    card.locator("button.confirm").click()
    page.wait_for_selector(".entity.confirmed")
    entity_id = card.locator(".registry").inner_text().split("(")[-1].rstrip(")")
    confirmed = _judgements(live_server, entity_id=entity_id, verdict="confirmed")
    assert confirmed["count"] == members
    assert {j["author"] for j in confirmed["data"]} == {"review-page"}
    assert "names confirmed for" in card.inner_text()


def test_split_records_rejections(page, live_server):
    card = _card(page, "Majid Takht-Ravanchi")
    entity_id = card.locator(".registry").inner_text().split("(")[-1].rstrip(")")
    card.locator(".member", has_text="Takht Ruanchi").locator(".split-box").check()
    card.locator("button.split").click()
    page.wait_for_selector("#status:has-text('Split Takht Ruanchi')")
    rejected = _judgements(live_server, entity_id=entity_id, verdict="rejected")
    assert [j["name"] for j in rejected["data"]] == ["Takht Ruanchi"]
    assert page.locator(".entity").count() == 4
    assert _card(page, "Takht Ruanchi").locator(".member").count() == 1


def test_confirm_a_new_entity_and_find_it_in_the_registry(page, live_server):
    card = _card(page, "Quarrington")
    card.locator("select.kind").select_option("person")
    card.locator("button.confirm").click()
    page.wait_for_selector("#status:has-text('Confirmed')")
    page.fill("#registry-q", "Quarrington")
    page.click("#registry-search")
    page.wait_for_selector("#registry-list li >> text=Quarrington")
    page.click("#registry-list li >> text=Quarrington")
    page.wait_for_selector("#registry-detail .aliases li")
    aliases = page.inner_text("#registry-detail .aliases")
    assert "Ondine Quarrington" in aliases
    assert "O. Quarrington" in aliases
    found = httpx.get(f"{live_server}/v1/entities", params={"q": "Quarrington"}).json()
    assert found["data"][0]["kind"] == "person"
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000


def test_upload_a_csv_file(page, tmp_path):
    upload = tmp_path / "names.csv"
    upload.write_text('id,name\n1,"Gaddafi, Muammar"\n2,Qaddafi\n', encoding="utf-8")
    page.set_input_files("#file", str(upload))
    page.wait_for_selector("#status:has-text('2 names read from names.csv')")
    assert page.input_value("#names") == "Gaddafi, Muammar\nQaddafi"


def test_page_serves_its_own_files_only(live_server):
    r = httpx.get(f"{live_server}/review")
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    assert httpx.get(f"{live_server}/review/review.js").status_code == 200
    missing = httpx.get(f"{live_server}/review/other.js")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_browser_step_is_idempotent():
    # make test ran it before pytest; with the browser there, it does nothing.
    import subprocess

    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run `make browser` (make test does it)")
    done = subprocess.run(
        ["make", "--no-print-directory", "browser"],
        cwd=Path(__file__).parents[1],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
