from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from orgs.models import User
from orgs.roles import Role


def add_user(*args) -> str:
    out = StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def test_add_user_creates_a_scoped_user(tree):
    output = add_user("zhang", "--unit", "XA", "--role", "officer", "--password", "Strong-pass-88")
    user = User.objects.get(username="zhang")
    assert (user.unit, user.role) == (tree.station_a, Role.OFFICER)
    assert user.check_password("Strong-pass-88")
    assert "已创建用户 zhang" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["li", "--unit", "NOPE", "--role", "officer", "--password", "Strong-pass-88"], "单位编码“NOPE”不存在"),
        (["li", "--unit", "XA", "--role", "chief", "--password", "Strong-pass-88"], "未知角色“chief”"),
        (["officer_a", "--unit", "XA", "--role", "officer", "--password", "Strong-pass-88"], "已被使用"),
        (["li", "--unit", "XA", "--role", "officer", "--password", "123"], "密码不符合要求"),
    ],
)
def test_add_user_refuses_with_a_clear_message(tree, args, message):
    before = User.objects.count()
    with pytest.raises(CommandError, match=message):
        add_user(*args)
    assert User.objects.count() == before


def test_add_user_prompts_for_the_password(tree):
    with mock.patch("getpass.getpass", side_effect=["Strong-pass-88", "Strong-pass-88"]):
        add_user("wang", "--unit", "X", "--role", "reviewer")
    assert User.objects.get(username="wang").check_password("Strong-pass-88")


def test_add_user_refuses_mismatched_prompted_passwords(tree):
    with (
        mock.patch("getpass.getpass", side_effect=["Strong-pass-88", "Other-pass-99"]),
        pytest.raises(CommandError, match="两次输入的密码不一致"),
    ):
        add_user("wang", "--unit", "X", "--role", "reviewer")
