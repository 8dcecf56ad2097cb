"""Django's form renderer, with <select>, <input> and <textarea> written in Python instead of two
template includes per option or field.

List pages carry filter forms whose selects list every unit, indicator and week, and every form
page writes its fields: rendering each option through `select_option.html` and `attrs.html` was
about a third of those pages' time. Kept for speed (measured for issue 28, in-process CPU): with
Django's templates /problems/ after a write took 18.1 ms instead of 13.3, /checks/ 22.3 instead
of 16.0, the liaison's new-activity form 9.7 instead of 6.5. The HTML is the same, character for
character, as Django's templates give: tests/wenming/test_form_renderer.py renders each kind of
widget both ways, each on a new form and in either order, and tests/ops/test_fast_html_sweep.py
every page of the app; anything unusual (another option template, a non-text label) goes through
the templates as before. After upgrading Django, run those tests.
"""
import datetime

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from wenming.l10n import printed

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
# Widgets whose template only includes input.html.
INPUTS = {f"django/forms/widgets/{name}.html" for name in (
    "input", "text", "email", "url", "number", "password", "search", "tel", "date", "datetime", "time",
    "checkbox", "hidden", "color")}


_text = printed  # what `{{ value }}` prints


def _s(value):
    """What `{{ value|stringformat:'s' }}` prints."""
    text = "%s" % value
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs):
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_s(value)}"'
        for name, value in attrs.items() if value is not False)


def _plain(value):
    """A value that `{{ }}` and `stringformat:'s'` print as `_text` and `_s` do (text, numbers, None)."""
    return isinstance(value, (str, int, float, Promise)) and not isinstance(value, bool) or value is None


def render_select(widget):
    """The output of select.html for this widget context, or None when the templates must do it."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            if not _plain(group_name):
                return None
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION or not _plain(option["label"]) or \
                    isinstance(option["value"], (datetime.date, datetime.time)):
                return None
            parts.append(f'\n  <option value="{_s(option["value"])}"{_attrs(option["attrs"])}>'
                         f'{_text(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def render_input(widget):
    """The output of input.html."""
    value = "" if widget["value"] is None else f' value="{_s(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def render_textarea(widget):
    """The output of textarea.html."""
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        html = None
        if template_name == SELECT:
            html = render_select(context["widget"])
        elif template_name in INPUTS and _plain(context["widget"]["value"]):
            html = render_input(context["widget"])
        elif template_name == TEXTAREA and _plain(context["widget"]["value"]):
            html = render_textarea(context["widget"])
        if html is not None:
            return html.strip()
        return super().render(template_name, context, request=request)
