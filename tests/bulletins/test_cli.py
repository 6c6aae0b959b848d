"""``manage.py make_bulletin`` drafts once, issues with 第N期, corrects, writes the files, and
answers every mistake with a Chinese message (CommandError, exit 1), never a traceback."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bulletins.models import Bulletin, BulletinStatus
from orgs.models import Area
from orgs.roles import Role
from tests.factories import CaseFactory, UserFactory

MAY = ("--kind", "month", "--date", "2024-05-15")


def run(*args: str) -> str:
    out = StringIO()
    call_command("make_bulletin", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def fake_render(monkeypatch):
    monkeypatch.setattr("bulletins.services.render", lambda doc, fmt: f"{fmt}:{doc['issue']['number_label']}".encode())


def late_case(tree):
    """A case of 20 May 2024 at 滨江派出所, reported after its May bulletin was issued."""
    CaseFactory(station=tree.station_a, area=Area.objects.get(code="XA1001"), reported_on=dt.date(2024, 5, 20))


@pytest.fixture
def analyst(tree):
    return UserFactory(username="analyst_x", unit=tree.county_x, role=Role.ANALYST)


def test_draft_then_rerun_reuses_it(tree):
    CaseFactory(station=tree.station_a, reported_on=dt.date(2024, 5, 10))
    first = run(*MAY, "--unit", "X")
    assert "已起草通报。" in first
    lines = first.splitlines()
    assert lines[1] == "临江区公安分局（X） · 2024年5月 · 月通报 · 草稿（签发时编号） · 第1版 · 草稿"
    assert any(line.startswith("总体情况：") for line in lines[2:])
    second = run(*MAY, "--unit", "X")
    assert "该期通报已存在（草稿），沿用，未重新起草。" in second
    assert Bulletin.objects.count() == 1


def test_issue_numbers_per_unit_kind_and_year(tree, analyst):
    out = run(*MAY, "--unit", "X", "--issue", "--user", "analyst_x")
    assert "已签发：2024年第1期。" in out
    may = Bulletin.objects.get()
    assert (may.status, may.number, may.issued_by) == (BulletinStatus.ISSUED, 1, analyst)
    out = run("--kind", "month", "--date", "2024-06-03", "--unit", "X", "--issue")
    assert "已签发：2024年第2期。" in out
    june = Bulletin.objects.get(period_start=dt.date(2024, 6, 1))
    assert (june.number, june.issued_by) == (2, None)
    assert "无需再签发" in run(*MAY, "--unit", "X", "--issue")


def test_correct_issues_a_revision_with_the_same_number(tree):
    run(*MAY, "--unit", "XA", "--issue")
    late_case(tree)
    out = run(*MAY, "--unit", "XA", "--correct", "--note", "补录案件1起。", "--issue")
    assert "已生成更正版（第2版）" in out and "已签发：2024年第1期。" in out
    first, second = Bulletin.objects.order_by("revision")
    assert first.status == BulletinStatus.SUPERSEDED
    assert (second.status, second.number, second.correction_note) == (BulletinStatus.ISSUED, 1, "补录案件1起。")
    assert "第2版 · 已签发" in out


def test_pending_correction_is_reused(tree):
    run(*MAY, "--unit", "XA", "--issue")
    late_case(tree)
    run(*MAY, "--unit", "XA", "--correct")
    out = run(*MAY, "--unit", "XA", "--correct", "--issue")
    assert "已有待签发的更正版（第2版），沿用。" in out
    assert Bulletin.objects.filter(status=BulletinStatus.ISSUED).get().revision == 2


def test_out_writes_the_files(tree, fake_render, tmp_path):
    out_dir = tmp_path / "通报" / "五月"
    out = run(*MAY, "--unit", "X", "--issue", "--out", str(out_dir))
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == [f"临江区公安分局2024年5月月通报（2024年第1期）.{ext}" for ext in ("docx", "pdf", "xlsx")]
    assert (out_dir / names[1]).read_bytes() == "pdf:2024年第1期".encode()
    assert f"已写入 {out_dir / names[1]}（18 字节）" in out


def test_out_with_chosen_formats(tree, fake_render, tmp_path):
    run(*MAY, "--unit", "X", "--out", str(tmp_path), "--format", "xlsx, PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "临江区公安分局2024年5月月通报（草稿）.pdf",
        "临江区公安分局2024年5月月通报（草稿）.xlsx",
    ]


def test_out_renders_a_real_pdf(tree, tmp_path):
    pytest.importorskip("bulletins.render.pdf")
    run(*MAY, "--unit", "X", "--issue", "--out", str(tmp_path), "--format", "pdf")
    (path,) = tmp_path.iterdir()
    assert path.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--kind", "month", "--date", "2024-05-15", "--unit", "NOPE"), "单位编码“NOPE”不存在。"),
        (("--kind", "weekly", "--date", "2024-05-15", "--unit", "X"), "未知的通报类别“weekly”"),
        (("--kind", "month", "--date", "2024/05/15", "--unit", "X"), "日期“2024/05/15”格式不对"),
        (("--date", "2024-05-15", "--unit", "X"), "缺少参数 --kind"),
        ((*MAY, "--unit", "X", "--user", "nobody"), "用户“nobody”不存在。"),
        ((*MAY, "--unit", "X", "--out", "x", "--format", "doc"), "不支持的格式“doc”"),
        ((*MAY, "--unit", "X", "--format", "pdf"), "--format 需与 --out"),
        ((*MAY, "--unit", "X", "--note", "说明"), "--note 仅与 --correct 一起使用。"),
        ((*MAY, "--unit", "X", "--correct"), "临江区公安分局2024年5月的月通报尚未签发，无可更正的版本。"),
    ],
)
def test_mistakes_answer_in_chinese(tree, args, message):
    with pytest.raises(CommandError, match=message.replace("?", r"\?")):
        run(*args)
    assert not Bulletin.objects.exists()


def test_period_not_ended_is_refused(tree):
    today = timezone.localdate().isoformat()
    with pytest.raises(CommandError, match="尚未结束，结束后才能起草通报。"):
        run("--kind", "month", "--date", today, "--unit", "X")


def test_correction_without_changes_is_refused(tree):
    run(*MAY, "--unit", "X", "--issue")
    with pytest.raises(CommandError, match="数据与已签发版本一致，没有需要更正的数字。"):
        run(*MAY, "--unit", "X", "--correct")


def test_failed_draft_is_reported(tree, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("数据缺失")

    monkeypatch.setattr("bulletins.services.build_payload", broken)
    with pytest.raises(CommandError, match="通报生成失败：ValueError: 数据缺失"):
        run(*MAY, "--unit", "X", "--issue")
    assert Bulletin.objects.get().status == BulletinStatus.FAILED


def test_exit_status_is_1_with_a_chinese_message(tree, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "make_bulletin", *MAY, "--unit", "NOPE"]).execute()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "单位编码“NOPE”不存在。" in err and "Traceback" not in err
