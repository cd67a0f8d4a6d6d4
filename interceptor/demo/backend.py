"""The demo hall's backend: answers like the real gateway, from a small in-memory world.

Every answer has the gateway's shape ``{"appcode": "0" | "1", "msg": …, "map": {…}}``;
anything but ``"0"`` is a failure the business page shows in its 错误提示 box. The people
and units below are invented; each exists to make one flow succeed or fail in one way
(the table is in docs/demo.md and in :data:`SCENARIOS`). State lives in one
:class:`DemoBackend` instance, so each demo server starts from the same world.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from ..server import Response

API_PREFIX = "/api/"

HR_SERVICE_FIELDS = ("用工类型", "实际用工单位编号", "实际用工单位名称")
TEMPLATE_HEADER = ("身份证号码", "姓名", "参保开始年月", *HR_SERVICE_FIELDS)


@dataclass
class Person:
    idcard: str
    name: str
    person_no: str | None  # None: never collected, so the province knows nothing of them
    household_type: str = "10"  # 户籍性质; "" reproduces 户籍性质为空
    flexible: bool = False  # 以灵活就业人员身份参保中
    insured_elsewhere: bool = False  # 原单位未停保
    unemployment_benefit_months: tuple[str, ...] = ()  # months with 失业金发放 (YYYYMM)
    insured_here: bool = False


@dataclass
class Unit:
    code: str
    name: str
    hr_service: bool  # 人力资源服务单位 / 劳务派遣公司


@dataclass(frozen=True)
class Scenario:
    """One row of the input -> outcome table."""

    flow: str
    inputs: str
    outcome: str
    rule: str | None  # rule id the companion must report, None for a success or notice


def _people() -> dict[str, Person]:
    people = [
        Person("320102199003071234", "张三", "3201000000100001"),
        Person("320583198805126011", "李四", "3205000000200002", flexible=True),
        Person("320106197711304418", "王五", "3201000000300003", insured_elsewhere=True),
        Person("320481199512018827", "赵六", "3204000000400004", household_type=""),
        Person("320102198506153216", "孙八", "3201000000500005"),
        Person("320104199207214523", "周九", "3201000000600006", unemployment_benefit_months=("202403", "202404")),
        Person("320105199108086636", "吴十", "3201000000700007", insured_here=True),
    ]
    return {p.idcard: p for p in people}


UNITS = {
    "32010012345": Unit("32010012345", "南京示例科技有限公司", hr_service=False),
    "32010067890": Unit("32010067890", "江苏示例人力资源服务有限公司", hr_service=True),
}
DEFAULT_UNIT = "32010012345"
# The demo login page accepts any unit above with this password (an invented one).
DEMO_PASSWORD = "Demo@2026"
UNKNOWN_IDCARD = "320211200002290035"  # 钱七: nobody in the province has collected them

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("用人单位用工参保登记", f"身份证 {UNKNOWN_IDCARD}（钱七）→ 查询", "未获取到人员基本信息", "person-info-not-found"),
    Scenario("用人单位用工参保登记", "身份证 320583198805126011（李四）→ 保存", "该人员为灵活就业参保人员",
             "flexible-employment-insured"),
    Scenario("用人单位用工参保登记", "身份证 320106197711304418（王五）→ 保存", "没有符合该人员的参保身份",
             "no-eligible-insured-status"),
    Scenario("用人单位用工参保登记", "身份证 320481199512018827（赵六）→ 保存", "户籍性质为空", "household-type-missing"),
    Scenario("用人单位用工参保登记", "身份证 320105199108086636（吴十）→ 查询",
             "页面内提示 ★在本单位已存在参保信息…（不是报错）", None),
    Scenario("用人单位用工参保登记", "身份证 320102199003071234（张三）→ 保存", "消息提示：保存成功", None),
    Scenario("人员基础信息采集", "身份证 320102198506153216（孙八），户籍性质任选 → 保存",
             "人员信息已采集，人员编号为3201000000500005", "person-already-collected"),
    Scenario("人员基础信息采集", "新身份证号，户籍性质留空 → 保存", "户籍性质为空", "household-type-missing"),
    Scenario("人员基础信息采集", "新身份证号，户籍性质已选 → 保存", "消息提示：人员信息采集成功，人员编号为…", None),
    Scenario("批量用工参保", "非人力资源服务单位上传模板，第3行填了用工类型/实际用工单位",
             "第3行：只有人力资源服务单位才能输入人力资源服务信息", "hr-service-fields-not-allowed"),
    Scenario("批量用工参保", "模板中有未采集的身份证号（第N行）", "第N行：未获取到人员基本信息", "person-info-not-found"),
    Scenario("批量用工参保", "只填前三列的模板，或人力资源服务单位上传", "消息提示：批量用工参保成功", None),
    Scenario("补缴（单位中心，Ant Design）", "身份证 320104199207214523（周九），补缴 202402–202405",
             "自参保开始日期下一月起，存在失业金发放信息", "unemployment-benefit-overlap"),
    Scenario("补缴（单位中心，Ant Design）", "身份证 320104199207214523（周九），补缴 202405–202406", "补缴申报成功", None),
    Scenario("灵活就业人员停保登记", "进入页面", "消息提示：当前时间办理人员停保…（通知，不是报错）", None),
    Scenario("灵活就业人员停保登记", "身份证 320583198805126011（李四）→ 停保", "消息提示：停保成功（之后李四可在单位参保）", None),
    Scenario("灵活就业人员停保登记", f"身份证 {UNKNOWN_IDCARD}（钱七）→ 停保", "未获取到人员基本信息", "person-info-not-found"),
    Scenario("灵活就业人员停保登记", "身份证 320102199003071234（张三）→ 停保",
             "错误提示：该人员不是灵活就业参保人员，无需办理停保（否定句：报为未识别，不给处理方法）", None),
)


@dataclass
class DemoBackend:
    """Route handler for :class:`interceptor.server.LocalServer`: ``backend(method, path, query, body)``."""

    people: dict[str, Person] = field(default_factory=_people)
    units: dict[str, Unit] = field(default_factory=lambda: dict(UNITS))
    next_person_no: int = 3201000000900001
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, method: str, path: str, query: str, body: bytes) -> Response | None:
        if not path.startswith(API_PREFIX):
            return None
        endpoint = path[len(API_PREFIX) :]
        if method == "GET" and endpoint == "ehrss/si/unit/batch-template.csv":
            return _template()
        if endpoint == "login/sms":
            # The SMS gateway fails without a message: the page shows its fixed 500 text.
            return Response.json({"appcode": "1", "map": {}}, 500)
        if endpoint == "login/guide":
            return Response.json({"appcode": "1", "msg": "", "map": {}}, 404)
        handler = _ENDPOINTS.get(endpoint)
        if handler is None or method != "POST":
            return Response.json({"appcode": "1", "msg": "请求的服务不存在", "map": {}}, 404)
        if endpoint == "ehrss/si/unit/batch-insure":
            form: dict[str, Any] = _multipart_fields(body)
        else:
            form = _json_or_form(body)
        with self.lock:
            appcode, msg, data = handler(self, form)
        return Response.json({"appcode": appcode, "msg": msg, "map": data})

    # Each handler returns (appcode, msg, map).

    def _unit(self, form: dict[str, Any]) -> Unit:
        return self.units.get(str(form.get("aab001") or DEFAULT_UNIT), self.units[DEFAULT_UNIT])

    def session(self, form: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        unit = self._unit(form)
        return "0", "", {"aab001": unit.code, "aab004": unit.name, "hrService": unit.hr_service}

    def login(self, form: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        # Answered 200 either way, as the real gateway does; the page drops a failure.
        unit = self.units.get(str(form.get("code") or ""))
        if unit is None:
            return "1", "单位编号或统一社会信用代码不存在", {}
        if str(form.get("password") or "") != DEMO_PASSWORD:
            return "1", "账号或密码错误，请重新输入", {}
        return "0", "", {"aab001": unit.code, "aab004": unit.name}

    def quick_search(self, form: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        person = self.people.get(_idcard(form))
        if person is None or person.person_no is None:
            return "1", "未获取到人员基本信息", {}
        data = {"aac001": person.person_no, "aac003": person.name, "aac002": person.idcard,
                "aac009": person.household_type}
        if person.insured_here:
            data["notice"] = "★在本单位已存在参保信息，不能办理参保，可以办理续签或者以其他参保身份参保;"
        return "0", "", data

    def insure_register(self, form: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        person = self.people.get(_idcard(form))
        if person is None or person.person_no is None:
            return "1", "未获取到人员基本信息", {}
        problem = _insure_problem(person)
        if problem:
            return "1", problem, {}
        person.insured_here = True
        return "0", f"保存成功，{person.name}自{form.get('aae030') or '本月'}起在本单位参保。", {"aac001": person.person_no}

    def collect(self, form: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        idcard = _idcard(form)
        if len(idcard) != 18:
            return "1", "公民身份号码格式不正确，请输入18位身份证号码", {}
        person = self.people.get(idcard)
        if person is not None and person.person_no is not None:
            return "1", f"人员信息已采集，人员编号为{person.person_no}", {"aac001": person.person_no}
        if not str(form.get("aac009") or "").strip():
            return "1", "户籍性质为空", {}
        person_no = str(self.next_person_no)
        self.next_person_no += 1
        self.people[idcard] = Person(idcard, str(form.get("aac003") or ""), person_no,
                                     household_type=str(form["aac009"]))
        return "0", f"人员信息采集成功，人员编号为{person_no}", {"aac001": person_no}

    def batch_insure(self, form: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        unit = self._unit(form)
        filename = str(form.get("filename") or "")
        content = form.get("file")
        if not isinstance(content, bytes) or not content:
            return "1", "请选择要上传的文件", {}
        if not filename.lower().endswith(".csv"):
            return "1", "文件格式不正确，请使用下载的模板（CSV）填写后上传", {}
        rows = _csv_rows(content)
        if not rows or tuple(c.strip() for c in rows[0][: len(TEMPLATE_HEADER)]) != TEMPLATE_HEADER:
            return "1", "模板表头不正确，请重新下载模板", {}
        imported = 0
        for number, row in enumerate(rows[1:], start=2):  # row 1 is the header, as in the sheet
            cells = [c.strip() for c in row] + [""] * (len(TEMPLATE_HEADER) - len(row))
            if not any(cells):
                continue
            if not unit.hr_service and any(cells[3:6]):
                return "1", f"第{number}行：只有人力资源服务单位才能输入人力资源服务信息", {"row": number}
            person = self.people.get(cells[0])
            if person is None or person.person_no is None:
                return "1", f"第{number}行：未获取到人员基本信息", {"row": number}
            problem = _insure_problem(person)
            if problem:
                return "1", f"第{number}行：{problem}", {"row": number}
            imported += 1
        return "0", f"批量用工参保成功，共导入{imported}人", {"count": imported}

    def supplement(self, form: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        person = self.people.get(_idcard(form))
        if person is None or person.person_no is None:
            return "1", "未获取到人员基本信息", {}
        start, end = str(form.get("startMonth") or ""), str(form.get("endMonth") or "")
        if not (len(start) == len(end) == 6 and start.isdigit() and end.isdigit() and start <= end):
            return "1", "补缴起止年月不正确，请按YYYYMM填写", {}
        # The gateway checks the months after the first one for unemployment benefit paid out.
        if any(start < month <= end for month in person.unemployment_benefit_months):
            return "1", "自参保开始日期下一月起，存在失业金发放信息", {}
        return "0", f"补缴申报成功：{person.name} {start}–{end}", {}

    def flexible_stop(self, form: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        person = self.people.get(_idcard(form))
        if person is None or person.person_no is None:
            return "1", "未获取到人员基本信息", {}
        if not person.flexible:
            return "1", "该人员不是灵活就业参保人员，无需办理停保", {}
        person.flexible = False
        return "0", f"停保成功：{person.name}的灵活就业参保已停保，单位可为其办理用工参保登记。", {}


def _insure_problem(person: Person) -> str | None:
    if person.flexible:
        return "该人员为灵活就业参保人员"
    if person.insured_elsewhere:
        return "没有符合该人员的参保身份"
    if not person.household_type:
        return "户籍性质为空"
    return None


_ENDPOINTS = {
    "session": DemoBackend.session,
    "login": DemoBackend.login,
    "ehrss/si/person/quick-search": DemoBackend.quick_search,
    "ehrss/si/unit/insure-register": DemoBackend.insure_register,
    "ehrss/si/person/collect": DemoBackend.collect,
    "ehrss/si/unit/batch-insure": DemoBackend.batch_insure,
    "center/unit/supplement": DemoBackend.supplement,
    "ehrss/si/person/flexible-stop": DemoBackend.flexible_stop,
}


def _idcard(form: dict[str, Any]) -> str:
    return str(form.get("aac002") or "").strip().upper()


def _json_or_form(body: bytes) -> dict[str, Any]:
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        return {k: v[-1] for k, v in parse_qs(text).items()}
    return data if isinstance(data, dict) else {}


def _multipart_fields(body: bytes) -> dict[str, Any]:
    """Fields of a multipart/form-data body; files as bytes plus ``filename``.

    The route handler sees no headers, so the boundary is read from the body's first line,
    which is always ``--<boundary>``.
    """
    first, sep, _ = body.partition(b"\r\n")
    if not sep or not first.startswith(b"--"):
        return {}
    fields: dict[str, Any] = {}
    for part in body.split(first)[1:]:
        if part.startswith(b"--"):
            break
        head, _, value = part.strip(b"\r\n").partition(b"\r\n\r\n")
        disposition = next(
            (line for line in head.decode("utf-8", "replace").split("\r\n")
             if line.lower().startswith("content-disposition")),
            "",
        )
        params = dict(
            (k.strip(), v.strip().strip('"'))
            for k, _, v in (item.partition("=") for item in disposition.split(";")[1:])
        )
        name = params.get("name", "")
        if "filename" in params:
            fields["filename"] = params["filename"]
            fields[name] = value
        else:
            fields[name] = value.decode("utf-8", "replace")
    return fields


def _csv_rows(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text)))
    return []


def _template() -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADER)
    writer.writerow(["320102199003071234", "张三", "202406", "", "", ""])
    # Excel opens a UTF-8 CSV correctly only with the BOM.
    return Response(200, ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8",
                    {"Content-Disposition": 'attachment; filename="batch-insure-template.csv"'})
