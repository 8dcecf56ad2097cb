"""Optimistic locking for records people edit in forms (活动档案, 任务 …).

Two people who open the same edit form and both save would otherwise overwrite each other
(last write wins). Instead:

- the model subclasses `Versioned`: a `version` number that every save increments;
- its ModelForm subclasses `VersionedForm`: the version the user loaded travels in a hidden input;
- the service that saves the record calls `claim_version(instance, loaded)` inside its
  transaction, before saving: the row is locked and, if its version moved since the form was
  loaded, `EditConflict` is raised and nothing is saved;
- the view catches `EditConflict` and calls `form.show_conflict(conflict)`: the same bound form is
  shown again with everything the user typed, the Chinese message naming who changed it and when,
  what they changed, and the new version, so that saving again (after checking) goes through.

A form posted without a version (an old page, a script) is saved as before.
"""
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """Abstract base: a version number incremented by every save, including status moves."""

    version = models.PositiveIntegerField(_("版本"), default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.version = (self.version or 0) + 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


class EditConflict(ValidationError):
    """The record changed since the user loaded the form; carries who/when/what for the message."""

    def __init__(self, instance, loaded, current):
        self.current_version = current
        self.by, self.at, self.changes = _latest_change(instance, loaded)
        when = timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M") if self.at else "时间不详"
        super().__init__(f"此记录已被他人修改（{self.by}，{when}），请核对后重新保存。", code="edit_conflict")


def _latest_change(instance, loaded):
    """(who, when, [Change]) of the changes made since version `loaded`, from the audit trail."""
    from .templatetags.history import changes_between, who_of

    history = instance.history.select_related("history_user").order_by("-history_date", "-history_id")
    newest = history.first()
    if newest is None:
        return "他人", None, []
    seen = history.filter(version=loaded).first()
    return who_of(newest), newest.history_date, changes_between(seen, newest) if seen else []


def claim_version(instance, loaded):
    """Call inside transaction.atomic() before saving `instance`: lock its row and refuse with
    EditConflict if its version is not `loaded` (the version the user's form was built from).

    `loaded` None (no version posted) or a new instance: nothing to check.
    """
    if instance.pk is None or loaded is None:
        return
    current = (type(instance)._default_manager.select_for_update().filter(pk=instance.pk)
               .values_list("version", flat=True).first())
    if current is None:
        return
    if current != loaded:
        raise EditConflict(instance, loaded, current)
    instance.version = current


class VersionedForm(forms.ModelForm):
    """A ModelForm carrying the version the user loaded (hidden input `version`)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    @property
    def loaded_version(self):
        return self.cleaned_data.get("version") if hasattr(self, "cleaned_data") else None

    def show_conflict(self, conflict):
        """Keep what was typed; explain the conflict; carry the new version for the next save."""
        self.add_error(None, conflict)
        for change in conflict.changes:
            self.add_error(None, f"{change.label}：您打开时为“{change.old}”，现在为“{change.new}”。")
        data = self.data.copy()
        data[self.add_prefix("version")] = str(conflict.current_version)
        self.data = data
