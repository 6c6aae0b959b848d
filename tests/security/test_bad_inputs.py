"""Every file of the bad-input corpus (``tests/data/bad/``) through the real intake.

``MANIFEST.toml`` says, per file, what the user must see: the whole file ``refused`` with
a message, its bad rows ``rejected`` (row, column and reason for every bad cell, nothing
written), or the file ``applied`` (a BOM or HTML is not an error) with an extra check.
``make_corpus.py`` beside it made every file and says how.

Files go through ``import_submit`` + ``import_execute`` as the web page's task runs them
(source "web", so the upload size limit applies), or through the upload form itself
(``via = "web"``) as a 数据员 would send them. Whatever the outcome, the domain tables are
compared row by row before and after: a refused or rejected file leaves every record —
history tables included — exactly as it was. The ``ImportJob`` record (and the audit
entry of the upload) are not compared: they are the log of the attempt, written whatever
the file holds.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
import json
import sys
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from cases.models import FraudCase
from imports import readers
from imports.kinds.registry import KINDS
from imports.models import ImportJob, ImportStatus
from imports.services import ImportError_, import_execute, import_submit
from orgs.roles import Role
from orgs.spreadsheets import FORMULA_STARTS
from publicity.models import PublicityActivity
from tests.factories import CaseFactory, PublicityFactory, UserFactory, WarningTaskFactory

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
NOT_CORPUS = {"make_corpus.py", "MANIFEST.toml"}
ENTRIES = {entry["name"]: entry for entry in tomllib.loads((BAD / "MANIFEST.toml").read_text("utf-8"))["file"]}
AFFECTED_APPS = ("cases", "earlywarnings", "publicity", "orgs")
MAIN_MODEL = {"cases": FraudCase, "publicity": PublicityActivity}


def _generator():
    spec = importlib.util.spec_from_file_location("make_corpus", BAD / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# --- the manifest and the folder ------------------------------------------------------------


def test_the_manifest_lists_every_file_of_the_folder_and_nothing_else():
    on_disk = {p.name for p in BAD.iterdir() if p.is_file() and p.name not in NOT_CORPUS}
    assert on_disk == set(ENTRIES)
    assert len(ENTRIES) >= 50


def test_every_import_kind_and_every_outcome_is_covered():
    assert {e["kind"] for e in ENTRIES.values()} == set(KINDS)
    assert {e["outcome"] for e in ENTRIES.values()} == {"refused", "rejected", "applied"}
    assert all(e["errors"] for e in ENTRIES.values() if e["outcome"] == "rejected")
    assert {e["via"] for e in ENTRIES.values()} == {"service", "web"}


def test_the_committed_files_are_what_make_corpus_makes():
    """Anyone can regenerate the corpus and get the same bytes (the bomb, slow to compress,
    is checked for what matters: enormous declared size, small file)."""
    generator = _generator()
    entries = generator.corpus()
    assert (BAD / generator.MANIFEST).read_text("utf-8") == generator.manifest(entries)
    for bad in entries:
        if bad.name != generator.BOMB_NAME:
            assert (BAD / bad.name).read_bytes() == bad.data, bad.name
    bomb = BAD / generator.BOMB_NAME
    with zipfile.ZipFile(bomb) as archive:
        assert sum(info.file_size for info in archive.infolist()) > readers.MAX_XLSX_UNPACKED
    assert bomb.stat().st_size < 200 * 1024


def test_the_corpus_is_small():
    assert sum(p.stat().st_size for p in BAD.iterdir() if p.is_file()) < 2 * 1024 * 1024


# --- the reader's guesses, on files larger than the corpus's -------------------------------------

WORDS = (
    "滨江派出所",
    "解放路派出所",
    "东湖派出所",
    "刷单返利",
    "杀猪盘",
    "冒充客服",
    "虚假贷款",
    "冒充公检法",
    "幸福社区",
    "翠湖社区",
    "进社区",
    "进校园",
    "讲座",
    "张三",
    "李四",
    "王五",
    "赵六",
    "劝阻成功",
    "已被骗",
    "无法联系",
    "电话预警",
    "资金预警",
    "冻结",
    "追赃",
    "返还",
    "是",
    "否",
    "男",
    "女",
    "常住",
    "流动",
)


def test_gbk_text_is_never_taken_for_mixed_encodings():
    """A GBK line can read as valid UTF-8 by chance; the mixed-encoding check must not
    refuse an honest GBK file for it (every triple of 31 everyday words: 29,791 lines)."""
    lines = [f"J{n},2026-05-03,{a},{b}{c},100" for n, (a, b, c) in enumerate(itertools.product(WORDS, WORDS, WORDS))]
    data = "\r\n".join(["案件编号,受理日期,办案单位,诈骗类型,损失金额", *lines]).encode("gbk")
    assert readers.detect_encoding(data) == "gb18030"


def test_utf16_without_bom_is_detected_past_its_first_block():
    row = "J1\t2026-05-03\t滨江派出所\t刷单返利\t100\r\n"
    data = ("案件编号\t受理日期\t办案单位\t诈骗类型\t损失金额\r\n" + row * 5000).encode("utf-16-le")
    table = readers.read_table(data, "big.txt")
    assert table.encoding == "UTF-16 LE" and sum(1 for _ in table.rows) == 5000


# --- every file through the intake --------------------------------------------------------------


@dataclass
class World:
    users: dict
    leader: object


@pytest.fixture
def world(tree) -> World:
    """The tree, two 数据员 (the city's and county X's), and one stored record of each kind
    that some files update before their bad row."""
    CaseFactory(case_no="J-OLD-1", station=tree.station_a)
    PublicityFactory(activity_no="HD-OLD-1", unit=tree.station_a)
    WarningTaskFactory(task_no="YJ-OLD-1", station=tree.station_a)
    return World(
        users={
            "clerk": UserFactory(username="clerk", unit=tree.city, role=Role.CLERK),
            "clerk_x": UserFactory(username="clerk_x", unit=tree.county_x, role=Role.CLERK),
        },
        leader=tree.leader,
    )


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every model of the apps an import writes to (their history tables are
    models of the same apps). The fixture's data is small, so whole rows are compared, not
    counts alone: an update rolled back half-way would show too."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for label in AFFECTED_APPS
        for model in apps.get_app_config(label).get_models()
    }


@dataclass
class Result:
    outcome: str  # refused | rejected | applied | failed
    message: str
    errors: list[dict] = field(default_factory=list)
    job: ImportJob | None = None


def _from_job(job: ImportJob) -> Result:
    if job.status == ImportStatus.APPLIED:
        outcome = "applied"
    elif job.status == ImportStatus.REFUSED:
        outcome = "rejected" if job.errors else "refused"
    else:
        outcome = "failed"  # a crash in the intake: never expected
    return Result(outcome, job.message, list(job.errors), job)


def through_service(entry: dict, data: bytes, user) -> Result:
    try:
        job = import_submit(kind=entry["kind"], file_name=entry["name"], data=data, user=user, source="web", run=False)
    except ImportError_ as exc:
        return Result("refused", exc.message)
    return _from_job(import_execute(job.pk))


def through_web(entry: dict, data: bytes, client, capture) -> Result:
    """The upload form as a 数据员 uses it; the job runs when the request's transaction commits."""
    upload = SimpleUploadedFile(entry["name"], data)
    with capture(execute=True):
        response = client.post(reverse("import_list"), {"kind": entry["kind"], "file": upload})
    if response.status_code == 200:  # refused before a job was recorded: the form says why
        messages = [str(m) for errors in response.context["form"].errors.values() for m in errors]
        assert messages, "the form was shown again without saying why"
        for message in messages:
            assert message in response.content.decode()
        return Result("refused", " ".join(messages))
    assert response.status_code == 302, response.status_code
    job = ImportJob.objects.latest("pk")
    page = client.get(response["Location"])
    assert page.status_code == 200
    result = _from_job(job)
    content = page.content.decode()
    assert result.message in content
    for error in result.errors:  # every bad cell on the page, its value shown as text
        assert escape(error["value"]) in content and escape(error["reason"]) in content
        assert "<" not in error["value"] or error["value"] not in content
    return result


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_bad_input(name, world, client, settings, django_capture_on_commit_callbacks):
    entry = ENTRIES[name]
    data = (BAD / name).read_bytes()
    user = world.users[entry["user"]]
    if entry.get("max_size"):
        settings.IMPORT_MAX_FILE_SIZE = entry["max_size"]
    if entry["via"] == "web":
        client.force_login(user)  # before the snapshot: logging in stamps the user's last_login
    jobs_before = ImportJob.objects.count()
    before = snapshot()

    if entry["via"] == "web":
        result = through_web(entry, data, client, django_capture_on_commit_callbacks)
    else:
        result = through_service(entry, data, user)
    after = snapshot()

    assert (result.outcome, entry["reason"] in result.message) == (entry["outcome"], True), result.message
    if entry["outcome"] == "applied":
        _assert_applied(entry, before, after)
    else:
        # Zero partial writes: the same row counts, and the same rows, in every table.
        assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
        assert after == before
    if entry["outcome"] == "rejected":
        _assert_row_errors(entry, result)
    if entry["outcome"] == "refused":
        assert not result.errors
        # A file refused before it is read leaves no job; one refused by the reader leaves its log.
        assert ImportJob.objects.count() - jobs_before == (1 if result.job else 0)
    if entry.get("secret"):
        _assert_not_leaked(entry["secret"], result)
    if entry.get("check"):
        CHECKS[entry["check"]](client, world)


def _assert_row_errors(entry: dict, result: Result) -> None:
    """Exactly the bad cells the manifest lists, each with its reason; the error report too."""
    expected = {(row, column): reason for row, column, reason in entry["errors"]}
    reported = {(e["row"], e["column"]): e["reason"] for e in result.errors}
    assert sorted(reported) == sorted(expected), reported
    for cell, fragment in expected.items():
        assert fragment in reported[cell], (cell, reported[cell])
    assert result.job.refused == len({row for row, _ in expected})
    assert result.job.created == result.job.updated == 0
    report = result.job.error_report.read().decode("utf-8-sig")
    assert len(report.strip().splitlines()) == len(expected) + 1  # the header line, then one line a cell


def _assert_applied(entry: dict, before: dict, after: dict) -> None:
    model = MAIN_MODEL[entry["kind"]]
    label = model._meta.label
    assert len(after[label]) - len(before[label]) == entry["created"]


def _assert_not_leaked(secret: str, result: Result) -> None:
    assert secret not in result.message
    assert secret not in json.dumps(result.errors, ensure_ascii=False)
    if result.job and result.job.error_report:
        result.job.error_report.open("rb")
        assert secret not in result.job.error_report.read().decode("utf-8-sig")


# --- what an applied file's text becomes -----------------------------------------------------


def html_escaped_on_case_list(client, world) -> None:
    """HTML is stored as the text it was and shown as text, never as markup."""
    assert FraudCase.objects.filter(case_no="<script>alert(1)</script>").exists()
    client.force_login(world.leader)
    page = client.get(reverse("case_list")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def html_escaped_on_publicity_list(client, world) -> None:
    title = "<script>alert('x')</script>反诈讲座"
    assert PublicityActivity.objects.filter(title=title).exists()
    client.force_login(world.leader)
    page = client.get(reverse("publicity_list")).content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;反诈讲座" in page


def formulas_stored_as_text(client, world) -> None:
    """A formula in a text cell is kept as the text it was (never evaluated), and the case
    export writes it with a leading apostrophe so Excel shows it rather than runs it."""
    stored = [
        value
        for row in FraudCase.objects.values_list("case_no", "place", "victim_occupation")
        for value in row
        if value.startswith(FORMULA_STARTS)
    ]
    assert len(stored) >= 2
    client.force_login(world.leader)
    response = client.get(reverse("case_export"))
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    exported = {cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)}
    for value in stored:
        assert "'" + value in exported and value not in exported


CHECKS = {
    "html_escaped_on_case_list": html_escaped_on_case_list,
    "html_escaped_on_publicity_list": html_escaped_on_publicity_list,
    "formulas_stored_as_text": formulas_stored_as_text,
}
