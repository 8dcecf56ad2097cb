"""Form fields as a user reads them (crispy-forms' Bootstrap 5 templates write them): each field's
label with an asterisk when it must be filled, what was typed or chosen kept after a refusal, the
Chinese error under the field and the field marked red, the help text; a filter form on a list
page keeps the filters chosen."""
import re
from html import unescape

from django.urls import reverse


def text(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def field(page, name):
    """What the page shows of one field: {label, required, value, chosen, errors, help, red, kind}."""
    start = page.index(f'<div id="div_id_{name}"')
    block = page[start:page.index("</div>", page.index(f'id="id_{name}"', start))]  # up to the field's end
    errors_at = page.find(f'id="id_{name}_error"', start)
    help_at = page.find(f'id="id_{name}_helptext" class="form-text"', start)
    end = page.find('<div id="div_id_', start + 1)
    end = len(page) if end == -1 else end
    control = re.search(rf'<(input|select|textarea)\b[^>]*\bname="{name}"[^>]*>', block)
    label = re.search(r"<label\b[^>]*>(.*?)</label>", block, re.S)
    value = re.search(r'\bvalue="([^"]*)"', control[0]) if control[1] == "input" else None
    chosen = re.findall(r"<option value=\"[^\"]*\" selected>([^<]*)</option>", page[start:end])
    return {
        "label": text(label[1]).rstrip("*").strip() if label else None,
        "required": label is not None and 'class="asteriskField">*</span>' in label[1],
        "kind": control[1] if control[1] != "input" else re.search(r'type="([^"]+)"', control[0])[1],
        "value": unescape(value[1]) if value else (
            unescape(re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", block, re.S)[1]) if control[1] == "textarea"
            else None),
        "checked": " checked" in control[0],
        "chosen": [unescape(c) for c in chosen],
        "errors": re.findall(r"<strong>([^<]+)</strong>", page[errors_at:end]) if 0 < errors_at < end else [],
        "help": text(page[help_at:page.index("</div>", help_at)].split(">", 1)[1]) if 0 < help_at < end else None,
        "red": "is-invalid" in control[0],
    }


def test_a_refused_form_keeps_what_was_typed_and_says_what_is_wrong_under_each_field(
        client_for, inspector, school_a, year):
    page = client_for(inspector).post(reverse("ledgers:problem_create"), {
        "unit": school_a.pk, "description": "", "deadline": "2026-13-40"}).content.decode()
    assert field(page, "unit") == {
        "label": "责任单位", "required": True, "kind": "select", "value": None, "checked": False,
        "chosen": ["郾城区第一实验小学"], "errors": [], "help": None, "red": False}
    assert field(page, "indicator") == {
        "label": "测评指标", "required": False, "kind": "select", "value": None, "checked": False,
        "chosen": ["---------"], "errors": [], "help": None, "red": False}
    assert field(page, "description") == {
        "label": "问题描述", "required": True, "kind": "textarea", "value": "", "checked": False, "chosen": [],
        "errors": ["请填写问题描述。"], "help": None, "red": True}
    assert field(page, "deadline") == {
        "label": "整改时限", "required": True, "kind": "date", "value": "2026-13-40", "checked": False,
        "chosen": [], "errors": ["日期不正确（如 2月30日 并不存在），请重新选择。"], "help": "默认次日（日结日清），可调整",
        "red": True}
    assert field(page, "photos")["label"] == "整改前照片" and field(page, "photos")["kind"] == "file"


def test_typed_text_is_kept_as_text(client_for, inspector, school_a, year):
    typed = '操场<b>围墙</b> & "广告"\n第二行'
    page = client_for(inspector).post(reverse("ledgers:problem_create"), {
        "unit": school_a.pk, "description": typed, "deadline": ""}).content.decode()
    assert field(page, "description")["value"] == typed
    assert "<b>围墙</b>" not in page
    assert field(page, "deadline")["errors"] and field(page, "deadline")["red"]


def test_a_list_pages_filters_stay_chosen(client_for, inspector, school_a, year):
    page = client_for(inspector).get(reverse("ledgers:problem_list"), {
        "unit": school_a.pk, "status": "open", "week": "2026-W05", "overdue": "on"}).content.decode()
    assert field(page, "unit")["chosen"] == ["郾城区第一实验小学"] and field(page, "unit")["label"] == "单位"
    assert field(page, "status")["chosen"] == ["待整改"]
    assert field(page, "week") == {"label": "周次", "required": False, "kind": "week", "value": "2026-W05",
                                   "checked": False, "chosen": [], "errors": [], "help": None, "red": False}
    assert field(page, "overdue")["checked"] and field(page, "overdue")["label"] == "只看逾期"
    assert field(page, "kind")["chosen"] == ["全部来源"]


def test_a_failed_sign_in_says_why_and_keeps_the_user_name(client, inspector):
    page = client.post(reverse("login"), {"username": "inspector", "password": "wrong"}).content.decode()
    alert = page[page.index('class="alert alert-block alert-danger"'):]
    assert text(alert[:alert.index("</div>")].split(">", 1)[1]) == "用户名或密码不正确，请重新输入。"
    assert field(page, "username")["value"] == "inspector" and field(page, "username")["required"]
    assert field(page, "password")["value"] is None and field(page, "password")["kind"] == "password"
