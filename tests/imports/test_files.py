"""Whatever the file came as: encodings, workbooks, and files that cannot be read."""

import codecs
import io
import zipfile

import pytest

from cases.models import FraudCase
from imports.models import ImportStatus
from imports.services import ImportError_, import_submit
from tests.imports.conftest import csv_bytes

ROWS = [
    ["案件编号", "受理日期", "办案单位", "诈骗类型", "损失金额"],
    ["J1", "2026-05-03", "滨江派出所", "刷单返利", "100"],
]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + csv_bytes(ROWS), "UTF-8 (BOM)"),
        (csv_bytes(ROWS), "UTF-8"),
        (csv_bytes(ROWS, encoding="gbk"), "GBK/GB18030"),
        (csv_bytes(ROWS, encoding="gb18030"), "GBK/GB18030"),
        ("\ufeff".encode("utf-16-le").join([b"", "\t".join(ROWS[0]).encode("utf-16-le")]) + "\r\n".encode("utf-16-le")
         + "\t".join(ROWS[1]).encode("utf-16-le"), "UTF-16"),
    ],
)  # fmt: skip
def test_encodings_are_detected(tree, run_import, data, encoding):
    job = run_import("cases", data)
    assert (job.status, job.encoding) == (ImportStatus.APPLIED, encoding), job.message
    assert FraudCase.objects.get().station == tree.station_a


def test_headers_match_after_folding_spaces_width_and_case(tree, run_import):
    rows = [[" 案件编号 ", "受理日期", "ＳＴＡＴＩＯＮ", "Fraud_Type", "损 失 金 额", "备注"], ROWS[1] + ["x"]]
    job = run_import("cases", csv_bytes(rows))
    assert job.status == ImportStatus.APPLIED, job.message
    assert job.unknown_columns == ["备注"]


def test_the_same_column_twice_refuses_the_file(tree, run_import):
    job = run_import("cases", csv_bytes([ROWS[0] + ["loss"], ROWS[1] + ["1"]]))
    assert job.status == ImportStatus.REFUSED and "同一列" in job.message


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "a.csv", "空"),
        (b"   \n  \n", "a.csv", "空"),
        (csv_bytes(ROWS[:1]), "a.csv", "只有表头"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "locked.xlsx", "加了密码"),
        (b"PK\x03\x04" + b"\x00" * 50, "broken.xlsx", "无法打开"),
        (b"not a workbook", "fake.xlsx", "不是 Excel"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(tree, run_import, data, name, reason):
    if not data:
        with pytest.raises(ImportError_, match=reason):
            run_import("cases", data, name=name)
        return
    job = run_import("cases", data, name=name)
    assert job.status == ImportStatus.REFUSED and reason in job.message
    assert not FraudCase.objects.exists()


def test_a_zip_that_is_not_a_workbook(tree, run_import):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    job = run_import("cases", buffer.getvalue(), name="x.xlsx")
    assert job.status == ImportStatus.REFUSED and "工作簿" in job.message


def test_a_wrong_file_type_or_kind_is_refused_before_anything_is_stored(tree):
    with pytest.raises(ImportError_, match="CSV"):
        import_submit(kind="cases", file_name="evil.exe", data=b"MZ", user=None, source="cli", run=False)
    with pytest.raises(ImportError_, match=r"另存为 \.xlsx"):
        import_submit(kind="cases", file_name="old.xls", data=b"\xd0\xcf", user=None, source="cli", run=False)
    with pytest.raises(ImportError_, match="未知的数据类型"):
        import_submit(kind="weather", file_name="a.csv", data=b"x", user=None, source="cli", run=False)


def test_an_oversized_file_is_refused(tree, settings):
    settings.IMPORT_MAX_FILE_SIZE = 10
    with pytest.raises(ImportError_, match="上限"):
        import_submit(kind="cases", file_name="a.csv", data=b"x" * 11, user=None, source="cli", run=False)


def test_a_job_records_file_facts(tree, run_import):
    data = csv_bytes(ROWS)
    job = run_import("cases", data, name="../../etc/导出.csv")
    assert job.file_name == "导出.csv"
    assert job.size == len(data) and len(job.sha256) == 64
    assert job.started_at and job.finished_at and job.rows_read == 1
