"""The pages in a real browser: Debian's chromium, headless, driven by Playwright, against the real
server started from the command line with the demo region (as ``make run`` does).

Skipped with a message when no chromium is installed (``apt-get install chromium``), except with
``CI=true``, where that is a failure. Each test saves screenshots under ``.tox/screens/``.
"""

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SCREENS = REPO / ".tox" / "screens"
TENDER = REPO / "tests" / "data" / "tender_sample.txt"
SMEPROC = shutil.which("smeproc", path=str(Path(sys.executable).parent)) or "smeproc"
# Debian's chromium: headless, no sandbox (root in a container), nothing fetched from the internet
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREEN = {"width": 1366, "height": 768}  # the office screen the pages are made for


def chromium_path() -> str:
    if "postgresql" in os.environ.get("SMEPROC_TEST_DATABASE_URL", ""):
        pytest.skip("the browser tests run once, in the SQLite environment (they start their own server)")
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "no chromium found: browser tests skipped (apt-get install chromium; .ci/run installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}, and CI=true")
    pytest.skip(message)


@dataclass(frozen=True)
class Service:
    base: str
    desk_link: str
    dashboard_link: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(base: str, process: subprocess.Popen[str], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/v1/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not come up within 60 s")


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    """The demo region on a fresh SQLite file, served by ``smeproc serve``; the demo's links."""
    env = {
        **os.environ,
        "SMEPROC_DATABASE_URL": f"sqlite:///{tmp_path / 'browser.sqlite3'}",
        "SMEPROC_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
    }
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    for args in (("db", "upgrade"), ("demo", "--links", base)):
        done = subprocess.run([SMEPROC, *args], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    desk = next(v for k, v in lines.items() if k.startswith("officer's desk"))
    dashboard = next(v for k, v in lines.items() if k.startswith("auditor's dashboard"))
    log = tmp_path / "server.log"
    commands = (  # as make run: the server and a job worker beside it
        [SMEPROC, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        [SMEPROC, "worker", "--threads", "1"],
    )
    with log.open("w") as output:
        processes = [
            subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
            for command in commands
        ]
        try:
            _wait_until_up(base, processes[0], log)
            yield Service(base, desk, dashboard)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)


@pytest.fixture
def page(service: Service) -> Iterator[Any]:
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport=SCREEN, accept_downloads=True, locale="zh-CN")
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        # script errors and refused content (CSP) show up here; an answered 4xx page does too: skip
        tab.problems = []
        tab.on("pageerror", lambda error: tab.problems.append(str(error)))
        tab.on(
            "console",
            lambda message: (
                message.type == "error"
                and "Failed to load resource" not in message.text
                and tab.problems.append(message.text)
            ),
        )
        try:
            yield tab
        finally:
            browser.close()


def shot(tab: Any, name: str) -> None:
    tab.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def test_an_officer_goes_from_a_desk_link_to_a_new_draft_and_applies_its_terms(
    service: Service, page: Any
) -> None:
    tab = page
    tab.goto(service.desk_link)
    assert tab.url.endswith("/desk/")
    assert "演示经办人" in tab.inner_text("header")
    tab.keyboard.press("Tab")  # keyboard users reach the skip link first
    assert tab.evaluate("document.activeElement.textContent") == "跳到正文"
    shot(tab, "desk-home")

    tab.get_by_role("link", name="新建合同草稿").first.click()
    tab.get_by_label("合同编号").fill("WEB-2026-001")
    tab.get_by_label("合同名称").fill("教室多媒体设备采购合同")
    tab.get_by_label("采购类别").select_option("goods")
    tab.get_by_label("合同金额（元）").fill("120000000")
    tab.get_by_label("采购人性质").select_option("public_body")
    tab.get_by_label("拟签订日期").fill("2026-12-15")
    tab.get_by_label("验收期限（日）").fill("20")
    tab.get_by_label("选择已登记的供应商，或登记新供应商").select_option("new")
    tab.get_by_label("新供应商名称").fill("新疆天山教育科技有限公司")
    tab.get_by_label("统一社会信用代码（18位，自动校验）").fill("91650102MA78Q9K2L9")
    tab.get_by_label("所属行业（划型）").select_option("软件和信息技术服务业")
    tab.get_by_label("从业人员（人）").fill("35")
    tab.get_by_label("营业收入（万元）").fill("1800")
    tab.get_by_label("声明函所述规模").select_option("small")
    tab.locator("#pt-0-kind").select_option("final")
    tab.locator("#pt-0-percent").fill("100")
    tab.locator("#pt-0-trigger").select_option("acceptance")
    tab.locator("#pt-0-days").fill("60")
    tab.locator("#bond-0-kind").select_option("performance")
    tab.locator("#bond-0-percent").fill("10")
    tab.get_by_label("现金").first.check()
    shot(tab, "desk-new-draft-typo")
    tab.get_by_role("button", name="保存草稿并查看中小企业条款").click()

    # the credit code was mistyped: the same page, the error beside the field, the input kept
    error = tab.locator("#supplier-credit_code-error")
    error.wait_for()  # the page after the POST (a busy machine answers late)
    assert "校验" in error.inner_text() or "check" in error.inner_text()
    assert tab.get_by_label("合同编号").input_value() == "WEB-2026-001"
    shot(tab, "desk-new-draft-error")
    tab.get_by_label("统一社会信用代码（18位，自动校验）").fill(
        "91650102MA78Q9K2L" + _check_character("91650102MA78Q9K2L")
    )
    tab.get_by_role("button", name="保存草稿并查看中小企业条款").click()
    tab.wait_for_url("**/desk/contracts/*")
    assert "before-after" in tab.content()
    shot(tab, "desk-contract")
    declines = tab.locator('input[type=radio][value="decline"]')
    assert declines.count() >= 1, "at least one encouraged change may be declined"
    mandatory = tab.locator("article.change.mandatory input[value=decline]")
    assert mandatory.count() == 0  # binding law offers no decline
    declines.first.check()
    declines.first.locator("xpath=ancestor::fieldset").locator("textarea").fill(
        "本项目资金按学期拨付，预付款比例按拨付计划确定"
    )
    tab.get_by_role("button", name="应用条款").click()
    tab.get_by_text("已应用中小企业条款").wait_for()
    assert "已应用中小企业条款" in tab.inner_text("main")
    assert "本项目资金按学期拨付" in tab.inner_text("main")
    shot(tab, "desk-contract-applied")
    assert tab.problems == []

    with tab.expect_download() as download:
        tab.get_by_role("link", name="下载补充协议（.docx）").click()
    assert download.value.suggested_filename == "合同补充条款-WEB-2026-001.docx"
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    assert "本项目资金按学期拨付" in document  # the declined change, with its reason, is on the paper


def _check_character(first17: str) -> str:
    from rules.credit_code import with_check_character

    return with_check_character(first17)[-1]


def test_an_auditor_drills_from_the_overview_to_a_finding_and_dismisses_it(
    service: Service, page: Any
) -> None:
    tab = page
    tab.goto(service.dashboard_link)
    assert tab.url.endswith("/audit/")

    tab.goto(f"{service.base}/audit/runs")
    tab.get_by_label("签订日期自").fill("2025-01-01")
    tab.get_by_label("签订日期至").fill("2025-12-31")
    tab.get_by_role("button", name="开始审计").click()
    tab.wait_for_selector("text=已完成")
    shot(tab, "audit-run")

    tab.goto(f"{service.base}/audit/?from=2025-01-01&to=2025-12-31")
    shot(tab, "audit-overview-pending")  # the worker computes the figures; the page looks again
    tab.wait_for_selector("#chart-share svg", timeout=60_000)  # ECharts drew, from the service's own file
    tab.wait_for_selector("#chart-findings svg")
    assert tab.locator("#findings-table tbody tr[data-category]").count() >= 1
    shot(tab, "audit-overview")

    tab.get_by_role("link", name="乌鲁木齐市第一中学（演示）").click()
    shot(tab, "audit-purchaser")
    tab.get_by_role("link", name="DEMO-2025-0001").click()
    shot(tab, "audit-contract")
    tab.locator("table.list a[href^='/audit/findings/']").nth(1).click()
    assert "/audit/findings/" in tab.url
    tab.get_by_role("button", name="排除（须说明理由）").click()
    tab.locator("#reason-error").wait_for()
    assert "排除审查发现须说明理由" in tab.inner_text("#reason-error")
    tab.get_by_label("理由（排除时必填）").fill("采购人已于2025年10月20日付清，付款凭证已核对")
    tab.get_by_role("button", name="排除（须说明理由）").focus()  # by keyboard
    tab.keyboard.press("Enter")
    tab.locator("#finding-status", has_text="已排除").wait_for()
    assert "采购人已于2025年10月20日付清" in tab.inner_text("main")
    assert tab.locator("ol.history li").count() >= 2  # found, then dismissed
    shot(tab, "audit-finding-dismissed")
    assert tab.problems == []


def test_an_auditor_reads_a_tender_document_with_its_barriers_marked(service: Service, page: Any) -> None:
    tab = page
    tab.goto(service.dashboard_link)
    tab.get_by_role("link", name="招标文件审查").click()
    tab.get_by_label("招标文件（.txt、.docx 或含文字层的 .pdf）").set_input_files(str(TENDER))
    tab.get_by_role("button", name="审查", exact=True).click()
    marks = tab.locator(".document mark")
    assert marks.count() >= 3
    marked = " ".join(marks.all_inner_texts())
    assert "注册资本不低于500万元" in marked and "成立3年以上" in marked
    assert "良好的商业信誉" not in marked
    assert "财库〔2020〕46号" in tab.inner_text("#found-h + ol")
    shot(tab, "audit-document")

    tab.get_by_role("link", name="English").click()
    assert "Tender document review" in tab.inner_text("h1")
    assert tab.problems == []
