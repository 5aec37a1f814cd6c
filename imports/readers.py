"""Read the rows of an uploaded CSV or XLSX file as a stream, refusing hostile files.

Nothing here loads a whole file: CSV is decoded incrementally and XLSX is read with
openpyxl's read-only mode (which parses the sheet XML with defusedxml, so entity tricks
cannot expand). Every problem with the file as a whole is a FileProblem with a translated
reason and, when known, the spreadsheet row (the header is row 1; 0 means the file).
"""

import codecs
import csv
import io
import itertools
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import openpyxl.xml
from django.conf import settings
from django.utils.translation import gettext as _

from imports.cells import Cell

assert openpyxl.xml.DEFUSEDXML, "defusedxml must be installed so XLSX XML cannot explode"

UTF16 = "utf-16"
ENCODINGS = {
    "utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030", "gbk": "gb18030",
    "utf-16": UTF16,
}  # fmt: skip
DELIMITERS = (",", ";", "\t", "|")
CHUNK = 1 << 20
XLSX_SUFFIXES = (".xlsx",)
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xla", ".xlam")
OLD_EXCEL_SUFFIXES = (".xls", ".et")


class FileProblem(Exception):
    """Raised when the file as a whole cannot be imported; the reason is translated."""

    def __init__(self, reason: str, row: int = 0, column: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.column = column


@dataclass
class Table:
    """An open file: its header, an estimate of its data rows and a stream of the rows."""

    headers: list[str]
    rows: Iterator[tuple[int, list[Cell]]]
    estimated_rows: int
    encoding: str = ""
    delimiter: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 256 * 1024 * 1024))


def max_columns() -> int:
    return int(getattr(settings, "IMPORT_MAX_COLUMNS", 200))


def is_xlsx(file_name: str) -> bool:
    return file_name.lower().endswith(XLSX_SUFFIXES)


def check_name_and_size(file_name: str, size: int) -> None:
    """Raise FileProblem for a file type we refuse or a file over the size limit."""
    lower = file_name.lower()
    if lower.endswith(MACRO_SUFFIXES):
        raise FileProblem(_("Files with macros (.xlsm) are not accepted; save as .xlsx or CSV."))
    if lower.endswith(OLD_EXCEL_SUFFIXES):
        raise FileProblem(_("The old Excel format (.xls) is not accepted; save as .xlsx or CSV."))
    if not lower.endswith((*XLSX_SUFFIXES, ".csv", ".txt", ".tsv")):
        raise FileProblem(_("Upload a CSV or XLSX file."))
    if size == 0:
        raise FileProblem(_("The file is empty."))
    if size > max_bytes():
        limit = max_bytes() // (1024 * 1024)
        raise FileProblem(_("The file is larger than the limit of %(mb)d MB.") % {"mb": limit})


@contextmanager
def open_table(path: Path, file_name: str, encoding: str = "") -> Iterator[Table]:
    """Yield the file as a Table; raise FileProblem when it cannot be read safely."""
    check_name_and_size(file_name, path.stat().st_size)
    if is_xlsx(file_name):
        with _open_xlsx(path) as table:
            yield table
    else:
        with path.open("rb") as raw:
            yield _open_csv(raw, encoding)


# CSV ----------------------------------------------------------------------------------------


def detect_encoding(raw: IO[bytes]) -> str:
    """Return the file's encoding: UTF-8 with or without BOM, else GB18030 (GBK's superset).

    The whole file is checked, not a sample, because a GBK character may first appear on
    row 900,000; decoding is incremental so memory stays flat.
    """
    raw.seek(0)
    start = raw.read(4)
    raw.seek(0)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return UTF16
    utf8 = _decodes(raw, "utf-8")
    if utf8 is True:
        return "utf-8"
    if utf8 == "truncated":
        raise FileProblem(_("The file ends in the middle of a character; it looks truncated."))
    if _decodes(raw, "gb18030") is True:
        return "gb18030"
    raise FileProblem(_("The file is neither UTF-8 nor GB18030; choose its encoding."))


def _decodes(raw: IO[bytes], encoding: str) -> bool | str:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    raw.seek(0)
    try:
        while chunk := raw.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        # Only the last few bytes undecodable: the file was cut mid-character.
        if error.reason == "unexpected end of data":
            return "truncated"
        return False
    finally:
        raw.seek(0)
    return True


def _delimiter(header_line: str) -> str:
    """Return the likeliest delimiter: the candidate the header line contains most often."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _open_csv(raw: IO[bytes], encoding: str) -> Table:
    codec = ENCODINGS.get(encoding.lower(), "") if encoding else detect_encoding(raw)
    if not codec:
        raise FileProblem(_("Unknown encoding %(name)s.") % {"name": encoding})
    start = raw.read(3)
    if codec == "utf-8" and start == codecs.BOM_UTF8:
        codec = "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = UTF16  # the mark says so, whatever encoding was chosen
    raw.seek(0)
    # An estimate for the progress bar (in UTF-16 each line feed is also a b"\n" byte).
    estimated = max(sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(CHUNK), b"")), 1)
    raw.seek(0)
    lines = _utf16_lines(raw) if codec == UTF16 else _decoded_lines(raw, codec)
    try:
        first = next(lines, "")
    except UnicodeDecodeError:
        raise FileProblem(_wrong_encoding(codec), row=1) from None
    if not first.strip():
        raise FileProblem(_("The file is empty or its first row (the header) is blank."), row=1)
    delimiter = _delimiter(first)
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)
    headers = _headers(list(_next_row(reader, codec, 1) or []))
    rows = _csv_rows(reader, codec)
    return Table(headers, rows, estimated - 1, encoding=codec, delimiter=delimiter)


def _decoded_lines(raw: IO[bytes], codec: str) -> Iterator[str]:
    """Yield the file's lines decoded one by one, so a bad byte is caught on its own row.

    Safe to split on bytes: a newline byte never occurs inside a UTF-8 or GB18030 character.
    """
    for line in raw:
        yield line.decode(codec)


def _utf16_lines(raw: IO[bytes]) -> Iterator[str]:
    """Yield the lines of a UTF-16 file (Excel's "Unicode text": a BOM, tab-separated).

    A line feed's bytes can sit inside a UTF-16 character, so the text is decoded as a
    stream and split into lines after decoding; the BOM gives the byte order.
    """
    yield from io.TextIOWrapper(raw, encoding=UTF16, errors="strict", newline="")


def _wrong_encoding(codec: str) -> str:
    return _("The text cannot be read as %(encoding)s; choose another encoding.") % {
        "encoding": codec.upper()
    }


def _next_row(reader: "Iterator[list[str]]", codec: str, number: int) -> list[str] | None:
    """Return the next record ([] for a blank line), None at the end of the file."""
    try:
        return next(reader)
    except StopIteration:
        return None
    except UnicodeDecodeError:
        raise FileProblem(_wrong_encoding(codec), row=number) from None
    except csv.Error:
        raise FileProblem(_broken_quote(), row=number) from None


def _broken_quote() -> str:
    return _("The file ends inside a quoted cell or has a broken quote; it looks truncated.")


def _csv_rows(reader: "Iterator[list[str]]", codec: str) -> Iterator[tuple[int, list[Cell]]]:
    """Yield the non-blank records with their spreadsheet row numbers (the header is 1).

    One loop with the error handling around it, not a call per record: this runs a million
    times.
    """
    number = 1
    try:
        for row in reader:
            number += 1
            # One join rather than a generator over the cells: the same test, a call per row.
            if "".join(row).strip():
                yield number, list(row)
    except UnicodeDecodeError:
        raise FileProblem(_wrong_encoding(codec), row=number + 1) from None
    except csv.Error:
        raise FileProblem(_broken_quote(), row=number + 1) from None


def _headers(cells: list[Cell]) -> list[str]:
    from imports.cells import text

    headers = [text(cell) for cell in cells]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise FileProblem(_("The file is empty or its first row (the header) is blank."), row=1)
    if len(headers) > max_columns():
        raise FileProblem(
            _("The file has %(count)d columns; at most %(max)d are accepted.")
            % {"count": len(headers), "max": max_columns()},
            row=1,
        )
    return headers


# XLSX ---------------------------------------------------------------------------------------


def check_zip(path: Path) -> None:
    """Raise FileProblem for a damaged XLSX, one with macros, or a ZIP bomb."""
    if not zipfile.is_zipfile(path):
        raise FileProblem(_("The file is not a readable XLSX workbook (damaged or truncated)."))
    limit = int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED", 1024 * 1024 * 1024))
    ratio = int(getattr(settings, "IMPORT_MAX_ZIP_RATIO", 200))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileProblem(
            _("The file is not a readable XLSX workbook (damaged or truncated).")
        ) from None
    if any(member.filename.lower().endswith("vbaproject.bin") for member in members):
        raise FileProblem(_("Files with macros (.xlsm) are not accepted; save as .xlsx or CSV."))
    total = sum(member.file_size for member in members)
    # A real sheet compresses 5-30 times; a bomb expands thousands of times.
    bomb = any(
        member.file_size > 1024 * 1024 and member.file_size > ratio * max(member.compress_size, 1)
        for member in members
    )
    if total > limit or bomb:
        raise FileProblem(_("The workbook expands to far more data than it holds; it is refused."))


@contextmanager
def _open_xlsx(path: Path) -> Iterator[Table]:
    import openpyxl

    check_zip(path)
    try:
        # data_only=False: a formula arrives as its text ("=A1*2") and is rejected, rather
        # than trusting a cached result that may be stale or missing.
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for a broken workbook
        if _unsafe_xml(error):
            raise FileProblem(_unsafe_xml_reason()) from None
        raise FileProblem(
            _("The file is not a readable XLSX workbook (damaged or truncated).")
        ) from None
    try:
        sheet = book.worksheets[0]
        rows = _xlsx_rows(sheet.iter_rows(values_only=True))
        first = next(rows, None)
        if first is None:
            raise FileProblem(_("The file is empty or its first row (the header) is blank."), row=1)
        headers = _headers(first[1])
        estimated = max((sheet.max_row or 1) - 1, 0)
        yield Table(headers, _data_rows(rows, len(headers)), estimated)
    finally:
        book.close()


def _unsafe_xml_reason() -> str:
    return _("The workbook contains XML entity declarations, which are refused as unsafe.")


def _unsafe_xml(error: BaseException | None) -> bool:
    """Return whether defusedxml refused the XML somewhere down the exception's causes."""
    from defusedxml import DefusedXmlException

    while error is not None:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


def _xlsx_rows(rows: Iterator[tuple[object, ...]]) -> Iterator[tuple[int, list[Cell]]]:
    number = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # broken XML, entity expansion refused by defusedxml, bad zip
            if _unsafe_xml(error):
                raise FileProblem(_unsafe_xml_reason(), row=number + 1) from None
            raise FileProblem(
                _("The workbook cannot be read past this row; it is damaged or unsafe."),
                row=number + 1,
            ) from None
        number += 1
        yield number, [_cell(value) for value in row]


def _data_rows(
    rows: Iterator[tuple[int, list[Cell]]], width: int
) -> Iterator[tuple[int, list[Cell]]]:
    for number, cells in rows:
        if any(cell not in (None, "") for cell in cells):
            yield number, cells


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    import datetime
    from decimal import Decimal

    if isinstance(value, datetime.datetime | datetime.date | Decimal):
        return value
    return str(value)
