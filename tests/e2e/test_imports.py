import pytest

from cases.models import FraudCase
from orgs.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

HEADER = "序号,案件编号,受理日期,办案单位,诈骗类型,损失金额,受害人年龄"


def test_clerk_uploads_a_gbk_export_reads_the_error_fixes_it_and_imports(tree, live_server, page, tmp_path):
    UserFactory(username="clerk", unit=tree.county_x, role=Role.CLERK)
    bad = tmp_path / "警情导出.csv"
    bad.write_bytes(f"{HEADER}\r\n1,J1,2026/5/3,滨江派出所,刷单返利,\"3,800\",26\r\n2,J2,2026年5月4日,XB,杀猪盘,12.3万,150\r\n"
                    .encode("gbk"))  # fmt: skip
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/imports/")

    page.select_option("#id_kind", "cases")
    page.set_input_files("#id_file", str(bad))
    page.click("#import-form button[type=submit]")
    page.wait_for_url("**/imports/*/")
    assert "整个文件未导入" in page.text_content("[data-testid=import-message]")
    assert "不能大于 120" in page.text_content("[data-testid=import-errors]")
    assert not FraudCase.objects.exists()

    fixed = tmp_path / "警情导出_修改.csv"
    fixed.write_bytes(bad.read_bytes().replace(b",150\r\n", b",50\r\n"))
    page.goto(f"{live_server.url}/imports/")
    page.set_input_files("#id_file", str(fixed))
    page.click("#import-form button[type=submit]")
    page.wait_for_url("**/imports/*/")
    assert "已新增 2 条" in page.text_content("[data-testid=import-message]")
    assert FraudCase.objects.count() == 2

    page.goto(f"{live_server.url}/imports/")
    assert page.locator("[data-testid=import-history] tbody tr").count() == 2
