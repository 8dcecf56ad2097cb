"""`|crispy` and `|as_crispy_field` as django-crispy-forms (Bootstrap 5 pack) give them, written in Python
for the plain fields every page has.

crispy renders each field through `bootstrap5/field.html` and its includes: some forty template
nodes per field. Kept for speed (measured for issue 28, bench_pages and form pages in-process,
CPU): without it the sign-in page took 1.8 ms instead of 1.0, the liaison's new-activity form
13.4 ms instead of 7.9, a new problem 15.1 instead of 7.9, and /problems/ after a write 16.4
instead of 11.7 ms. Fields here are written directly; the HTML is crispy's, tag for tag, with the
same spaces between tags: tests/wenming/test_crispy_fast.py renders every kind of widget (with and
without errors and help text) both ways, each on a new form and in either order, and
tests/ops/test_fast_html_sweep.py every page of the app. Anything else — file inputs, radio and
checkbox lists, multi-widgets, forms with a crispy `FormHelper` — still goes through crispy's
templates. After upgrading crispy-forms or crispy-bootstrap5, run those tests.

Templates load this library instead of `crispy_forms_tags`: `{% load crispy_fast %}`.
"""
from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.forms.widgets import Input
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from crispy_forms.templatetags import crispy_forms_filters as crispy
from crispy_forms.templatetags.crispy_forms_utils import remove_spaces

register = template.Library()

def _plain(bf):
    """An input (checkboxes included, file inputs not), a select or a textarea of a form without a
    crispy FormHelper. Radio and checkbox lists, multi-widgets and wrappers are none of these."""
    widget = bf.field.widget
    return (isinstance(bf, BoundField) and getattr(bf.form, "helper", None) is None
            and isinstance(widget, (Input, forms.Select, forms.Textarea))
            and not isinstance(widget, forms.FileInput) and not bf.use_fieldset)


def _add_classes(widget, classes):
    """What crispy's `{% crispy_field field 'class' '…' %}` does to the widget (it keeps them)."""
    class_name = widget.__class__.__name__.lower()
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(class_name, class_name)
    css = widget.attrs.get("class", "")
    if css:
        if css.find(class_name) == -1:
            css += f" {class_name}"
    else:
        css = class_name
    for name in classes.split():
        if name not in css.split():
            css += f" {name}"
    widget.attrs["class"] = css


def _errors_and_help(bf, errors):
    parts = []
    if errors:
        items = "\n".join(format_html('<p id="error_{}_{}"><strong>{}</strong></p>', n, bf.auto_id, e)
                          for n, e in enumerate(errors, 1))
        parts.append(format_html('<div id="{}_error" class="invalid-feedback">\n', errors.field_id)
                     + items + "\n</div>")
    if bf.help_text:
        helptext_id = format_html('id="{}_helptext" ', bf.auto_id) if bf.auto_id else ""
        parts.append(f'<div {helptext_id}class="form-text">{bf.help_text}</div>')
    return "\n".join(parts)


def _required(bf):
    return (' requiredField', '<span class="asteriskField">*</span>') if bf.field.required else ("", "")


def render_field(bf, label_class="", field_class=""):
    """crispy's field.html for a plain field; None for what crispy's templates must do."""
    if not _plain(bf) or label_class or field_class:
        return None
    if bf.is_hidden:
        return str(bf)
    widget, errors = bf.field.widget, bf.errors
    invalid = " is-invalid" if errors else ""
    css = bf.css_classes()
    css = f" {css}" if css else ""
    required_class, asterisk = _required(bf)
    tail = _errors_and_help(bf, errors)
    tail = f"\n{tail}" if tail else ""
    if isinstance(widget, forms.CheckboxInput):
        _add_classes(widget, f"form-check-input{invalid}")
        return mark_safe(
            f'<div class="mb-3">\n<div id="div_{bf.auto_id}" class="form-check{css}">\n{bf}\n'
            + format_html('<label for="{}" class="form-check-label{}">\n{}{}\n</label>', bf.id_for_label,
                          required_class, bf.label, mark_safe(asterisk))
            + f"{tail}\n</div>\n</div>")
    _add_classes(widget, f"{'form-select' if isinstance(widget, forms.Select) else 'form-control'}{invalid}")
    label = ""
    if bf.label:
        label_for = format_html('for="{}" ', bf.id_for_label) if bf.id_for_label else ""
        label = (f'\n<label\n{label_for}class="form-label{required_class}">\n'
                 f"{conditional_escape(bf.label)}{asterisk}\n</label>")
    return mark_safe(f'<div id="div_{bf.auto_id}" class="mb-3{css}">{label}\n{bf}{tail}\n</div>')


@register.filter(name="as_crispy_field")
def as_crispy_field(field, template_pack=crispy.TEMPLATE_PACK, label_class="", field_class=""):
    html = render_field(field, label_class, field_class) if template_pack == crispy.TEMPLATE_PACK else None
    if html is None:
        return crispy.as_crispy_field(field, template_pack, label_class, field_class)
    return mark_safe(f"\n{html}\n")  # crispy's template, too, begins and ends with blank lines


@register.filter(name="crispy")
def as_crispy_form(form, template_pack=crispy.TEMPLATE_PACK, label_class="", field_class=""):
    if (template_pack != crispy.TEMPLATE_PACK or label_class or field_class or not isinstance(form, forms.BaseForm)
            or getattr(form, "helper", None) is not None):
        return crispy.as_crispy_form(form, template_pack, label_class, field_class)
    parts = []
    if form.non_field_errors():
        items = "".join(format_html("<li>{}</li>", e) for e in form.non_field_errors())
        parts.append(f'<div class="alert alert-block alert-danger">\n<ul class="m-0">\n{items}\n</ul>\n</div>')
    for bf in form:
        html = render_field(bf)
        parts.append(html if html is not None else crispy.as_crispy_field(bf, template_pack))
    body = remove_spaces("\n".join(parts).strip())
    return mark_safe(f"\n{body}\n")  # as crispy's template: blank lines around the form
