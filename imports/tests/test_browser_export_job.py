"""A manager clicks "export" in Chinese, watches the export page and downloads the file."""

import re
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from core.tests.browser import screenshot, sign_in
from imports import exports
from imports.models import ExportRecord, ExportStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_exports_customers_as_xlsx_in_chinese_and_downloads_the_file(
    live_server, page: Page, tmp_path: Path, immediate_queue, manager, rep, other_rep, make_customer
):
    make_customer(rep, name="王芳", region="上海")
    make_customer(rep, name="李雷", region="北京")
    make_customer(other_rep, name="别的团队", region="上海")
    base = live_server.url
    sign_in(page, base, "manager", PASSWORD)
    expect(page.locator("h1")).to_have_text("Customers")
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    expect(page.locator("#export-button")).to_have_text("导出")
    page.fill("#id_region", "上海")
    page.press("#id_region", "Enter")
    expect(page).to_have_url(re.compile(r"region="))

    page.click("#export-button")
    page.click("#export-xlsx")

    expect(page.locator("h1")).to_contain_text("导出 · 客户")
    result = page.locator("#export-result")
    expect(result).to_contain_text("文件已生成：共 1 行。")
    screenshot(page, "export-job-ready-zh-hans")
    with page.expect_download() as download_info:
        page.locator("#download-export").click()
    download = download_info.value
    assert re.fullmatch(r"customers-\d{8}\.xlsx", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    with translation.override("zh-hans"):
        assert list(rows[0]) == exports.customer_headers()
    assert [row[2] for row in rows[1:]] == ["王芳"]
    record = ExportRecord.objects.get()
    assert (record.status, record.created_by, record.filters["region"]) == (
        ExportStatus.DONE,
        manager,
        "上海",
    )
    page.goto(f"{base}/imports/")
    expect(page.locator("#exports")).to_contain_text("可以下载")
