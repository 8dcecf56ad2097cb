"""The write benchmark's scripted browser (benchmarks/http_client.py) reads a form as a browser submits it."""
from django.urls import reverse

from ledgers.models import TaskAssignment
from benchmarks.http_client import forms_of
from tests.ledgers.tasks.conftest import make_task

PAGE = """<form action="/a/" method="post" enctype="multipart/form-data">
<input type="hidden" name="csrfmiddlewaretoken" value="tok">
<input name="title" value="升旗&amp;仪式">
<input name="old" value="x" disabled>
<input type="file" name="photos">
<input type="checkbox" name="units" value="1" checked><input type="checkbox" name="units" value="2">
<select name="category"><option value="">---------</option><option value="7">主题教育</option></select>
<select name="indicators" multiple><option value="3">3.2.1</option></select>
<select name="kind"><option value="a">常规督查</option><option value="b" selected>暗访</option></select>
<textarea name="summary">
第一行</textarea>
<button name="submit" value="1">提交</button>
</form><form action="/b/"><input name="q"></form>"""


def test_it_submits_each_control_as_a_browser_would():
    first, second = forms_of(PAGE)
    assert first.action == "/a/" and first.multipart and second.action == "/b/"
    assert first.fields == [["csrfmiddlewaretoken", "tok"], ["title", "升旗&仪式"], ["units", "1"], ["category", ""],
                            ["kind", "b"], ["summary", "第一行"]]  # no disabled, file, unticked or button value
    assert first.choices == {"units": ["1", "2"], "category": ["", "7"], "indicators": ["3"], "kind": ["a", "b"]}
    first.set("units", 1, 2)
    assert first.getlist("units") == ["1", "2"]


def test_the_task_form_read_from_the_page_saves_with_only_the_units_changed(client_for, admin_user, year, school_a,
                                                                          school_b, section):
    task = make_task(year, [school_a, school_b], admin_user)
    client = client_for(admin_user)
    url = reverse("ledgers:task_edit", args=[task.pk])
    form = next(f for f in forms_of(client.get(url).content.decode()) if "units" in f.attrs)
    assert sorted(form.getlist("units")) == sorted([str(school_a.pk), str(school_b.pk)])
    assert str(section.pk) in form.choices["units"]
    assert form.get("title") == "开展文明校园创建" and form.get("version") == str(task.version)
    form.set("units", school_a.pk, section.pk)
    data = {}
    for name, value in form.fields:
        data.setdefault(name, []).append(value)
    response = client.post(url, data)
    assert response.status_code == 302
    assert set(TaskAssignment.objects.filter(task=task).values_list("unit__name", flat=True)) == {
        school_a.name, section.name}
