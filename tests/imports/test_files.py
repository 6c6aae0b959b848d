"""Whatever the file came as: encodings, workbooks, and files that cannot be read."""

import codecs
import hashlib
import io
import zipfile

import pytest
from django.core.management import call_command

from cases.models import FraudCase
from imports import engine, readers
from imports.models import ImportJob, ImportStatus
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


@pytest.mark.parametrize("source", ["web", "api"])
def test_an_oversized_upload_is_refused(tree, settings, source):
    settings.IMPORT_MAX_FILE_SIZE = 10
    with pytest.raises(ImportError_, match="上限"):
        import_submit(kind="cases", file_name="a.csv", data=b"x" * 11, user=None, source=source, run=False)


def test_the_command_line_takes_a_file_over_the_upload_limit_as_a_stream(tree, settings, tmp_path):
    """An operator on the server imports a province's export, gigabytes: no upload limit, and
    the file is stored and hashed in blocks."""
    settings.IMPORT_MAX_FILE_SIZE = 10
    data = csv_bytes(ROWS)
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    call_command("import_data", "cases", str(path), stdout=io.StringIO())
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.APPLIED and job.size == len(data) > 10
    assert job.sha256 == hashlib.sha256(data).hexdigest()
    assert job.created == len(ROWS) - 1


def test_a_long_file_goes_through_in_chunks_and_a_bad_row_in_the_last_one_writes_nothing(tree, run_import,
                                                                                           monkeypatch):  # fmt: skip
    monkeypatch.setattr(engine, "CHUNK_ROWS", 3)
    rows = [ROWS[0], *([f"J{n}", "2026-05-03", "滨江派出所", "刷单返利", "100"] for n in range(10))]
    rows[-1][4] = "一百"
    job = run_import("cases", csv_bytes(rows))
    assert job.status == ImportStatus.REFUSED and job.rows_read == 10 and job.refused == 1
    assert job.errors[0]["row"] == 11 and job.errors[0]["column"] == "损失金额"
    assert not FraudCase.objects.exists()
    job = run_import("cases", csv_bytes(rows), partial=True)
    assert job.status == ImportStatus.APPLIED and job.created == 9 and FraudCase.objects.count() == 9


def test_a_key_repeated_in_a_later_chunk_is_refused(tree, run_import, monkeypatch):
    monkeypatch.setattr(engine, "CHUNK_ROWS", 2)
    rows = [ROWS[0], *([f"J{n}", "2026-05-03", "滨江派出所", "刷单返利", "100"] for n in (1, 2, 3, 1))]
    job = run_import("cases", csv_bytes(rows))
    assert job.status == ImportStatus.REFUSED and job.refused == 1
    assert job.errors[0]["row"] == 5 and "与第 2 行重复" in job.errors[0]["reason"]
    assert not FraudCase.objects.exists()


def test_a_byte_in_another_encoding_after_the_sample_refuses_the_file_at_its_line(tree, run_import, monkeypatch):
    """The encoding is detected on the file's start; a GBK name far below a UTF-8 start is
    met while streaming, and the file is refused saying where."""
    monkeypatch.setattr(readers, "SAMPLE", 200)
    rows = [ROWS[0], *([f"J{n}", "2026-05-03", "滨江派出所", "刷单返利", "100"] for n in range(20))]
    data = csv_bytes(rows) + "J99,2026-05-03,滨江派出所,刷单返利,100\r\n".encode("gbk")
    job = run_import("cases", data)
    assert job.status == ImportStatus.REFUSED and "第 22 行附近" in job.message and "编码" in job.message
    assert not FraudCase.objects.exists()


def test_a_job_records_file_facts(tree, run_import):
    data = csv_bytes(ROWS)
    job = run_import("cases", data, name="../../etc/导出.csv")
    assert job.file_name == "导出.csv"
    assert job.size == len(data) and len(job.sha256) == 64
    assert job.started_at and job.finished_at and job.rows_read == 1
