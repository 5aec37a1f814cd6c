"""A manager's spreadsheet round trip in a real browser, in English and then in Chinese.

Export the customer list as XLSX with the list's button, edit the file as a spreadsheet
user would (openpyxl), import it again through the import pages, and check that the dry
run counted right, that the commit wrote the changes and their history, and that the
customer's 360° page shows them.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts.models import User
from core.tests.browser import screenshot, sign_in
from customers.models import Customer, ProfileChange
from huitou.demo.users import PASSWORD
from imports.mapping import CUSTOMER_FIELDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EDITED_FIELDS = ("city", "notes", "company")


@dataclass(frozen=True)
class Language:
    """What one pass of the round trip needs to know about the page language."""

    code: str
    customers_heading: str
    imports_heading: str
    upload_button: str
    commit_button: str
    checked: str  # the dry run's report, with {created} {updated} {unchanged}
    imported: str  # the commit's report, with {created} {updated} {unchanged}


ENGLISH = Language(
    code="en",
    customers_heading="Customers",
    imports_heading="Imports and exports",
    upload_button="Upload and check",
    commit_button="Import now",
    checked=(
        "Check finished, nothing written yet: {created} would be created, {updated} updated, "
        "{unchanged} unchanged, 0 rejected."
    ),
    imported="Imported: {created} created, {updated} updated, {unchanged} unchanged.",
)
CHINESE = Language(
    code="zh-hans",
    customers_heading="客户",
    imports_heading="导入导出",
    upload_button="上传并检查",
    commit_button="立即导入",
    checked=(
        "检查完成，尚未写入任何数据：将新建 {created} 条，更新 {updated} 条，"
        "未变更 {unchanged} 条，拒绝 0 条。"
    ),
    imported="导入完成：新建 {created} 条，更新 {updated} 条，未变更 {unchanged} 条。",
)


@dataclass(frozen=True)
class Edits:
    """What one pass changed in the file: customer id -> (field, new value), the new mobile."""

    changed: dict[int, tuple[str, str]]
    new_name: str
    new_mobile: str
    rows_in_file: int


def export_xlsx(page: Page, base: str, language: Language, folder: Path) -> Path:
    """Export the customer list as XLSX with the list's button, and download the file from
    the export's page once the worker has written it."""
    page.goto(f"{base}/customers/")
    expect(page.locator("h1")).to_have_text(language.customers_heading)
    page.click("#export-button")
    expect(page.locator("#export-xlsx")).to_be_visible()
    screenshot(page, f"import-round-trip-export-menu-{language.code}")
    page.click("#export-xlsx")
    expect(page.locator("#export-progress")).to_have_attribute("data-status", "done")
    with page.expect_download() as download_info:
        page.click("#download-export")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = folder / f"customers-{language.code}.xlsx"
    download.save_as(path)
    return path


def header_labels(language: Language) -> dict[str, str]:
    """Return field -> column header as the export writes it in the language."""
    with translation.override(language.code):
        return {spec.name: str(spec.label) for spec in CUSTOMER_FIELDS}


def edit_workbook(path: Path, language: Language, new_mobile: int) -> Edits:
    """Change one field of three customers and append a customer, as a person would in Excel."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    headers = [cell.value for cell in sheet[1]]
    labels = header_labels(language)
    column = {name: headers.index(label) + 1 for name, label in labels.items() if label in headers}
    rows = list(range(2, sheet.max_row + 1))
    changed: dict[int, tuple[str, str]] = {}
    for row, field in zip(rows[:3], EDITED_FIELDS, strict=True):
        customer_id = int(str(sheet.cell(row, column["id"]).value))
        value = f"{field}-{language.code}-{customer_id}"
        sheet.cell(row, column[field]).value = value
        changed[customer_id] = (field, value)
    new_row = sheet.max_row + 1
    new_name = f"Round Trip {language.code}"
    sheet.cell(new_row, column["name"]).value = new_name
    # Typed into Excel, a mobile number becomes a number cell; the import must take it.
    sheet.cell(new_row, column["mobile"]).value = new_mobile
    sheet.cell(new_row, column["city"]).value = "杭州"
    book.save(path)
    return Edits(changed, new_name, str(new_mobile), len(rows) + 1)


def import_file(page: Page, base: str, language: Language, path: Path, edits: Edits) -> None:
    """Upload the file, check the dry run's counts, then commit and check the result."""
    page.goto(f"{base}/imports/")
    expect(page.locator("h1")).to_have_text(language.imports_heading)
    expect(page.locator("#upload-button")).to_have_text(language.upload_button)
    page.select_option("#id_kind", "customers")
    page.set_input_files("#id_file", str(path))
    page.click("#upload-button")
    counts = {"created": 1, "updated": 3, "unchanged": edits.rows_in_file - 4}
    result = page.locator("#result")
    expect(result).to_have_text(re.compile(re.escape(language.checked.format(**counts))))
    assert Customer.objects.filter(mobile=edits.new_mobile).count() == 0  # dry run: no write
    screenshot(page, f"import-round-trip-checked-{language.code}")
    expect(page.locator("#commit-button")).to_have_text(language.commit_button)
    page.click("#commit-button")
    expect(result).to_have_text(re.compile(re.escape(language.imported.format(**counts))))
    screenshot(page, f"import-round-trip-imported-{language.code}")


def check_database(manager: User, edits: Edits) -> None:
    """Check that every change arrived, with one history row by the manager for each."""
    for customer_id, (field, value) in edits.changed.items():
        customer = Customer.objects.get(pk=customer_id)
        assert getattr(customer, field) == value
        change = ProfileChange.objects.get(customer=customer, field=field, new_value=value)
        assert change.changed_by == manager
    new = Customer.objects.get(mobile=edits.new_mobile)
    assert (new.name, new.city, new.owner) == (edits.new_name, "杭州", manager)
    assert ProfileChange.objects.filter(customer=new, field="created", changed_by=manager).exists()


def check_360_page(page: Page, base: str, language: Language, edits: Edits) -> None:
    """Open each changed customer's 360° page: the new value and its history are shown."""
    for customer_id, (_field, value) in edits.changed.items():
        page.goto(f"{base}/customers/{customer_id}/")
        expect(page.locator("body")).to_contain_text(value)
        expect(page.locator("#timeline")).to_contain_text(value)
    screenshot(page, f"import-round-trip-360-{language.code}")


def round_trip(page: Page, base: str, language: Language, folder: Path, new_mobile: int) -> None:
    manager = User.objects.get(username="manager")
    path = export_xlsx(page, base, language, folder)
    edits = edit_workbook(path, language, new_mobile)
    import_file(page, base, language, path, edits)
    check_database(manager, edits)
    check_360_page(page, base, language, edits)


def test_manager_round_trips_customers_through_xlsx_in_english_and_chinese(
    live_server, page: Page, tmp_path: Path, immediate_queue
):
    call_command("load_demo", "--limit", "300")
    base = live_server.url
    sign_in(page, base, "manager", PASSWORD)

    round_trip(page, base, ENGLISH, tmp_path, new_mobile=13912340001)

    page.goto(f"{base}/customers/")
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    expect(page.locator("h1")).to_have_text("客户")
    expect(page.locator("#import-link")).to_have_text("导入")
    expect(page.locator("#export-button")).to_have_text("导出")
    round_trip(page, base, CHINESE, tmp_path, new_mobile=13912340002)
