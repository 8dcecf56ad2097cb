from django.core import checks

from wenming import checks as wenming_checks


def run_ids():
    return {message.id: message for message in checks.run_checks()}


def test_no_warning_when_fonts_and_harfbuzz_are_installed(db):
    # bin/setup installs fonts-noto-cjk and libharfbuzz-subset0 on every machine.
    found = run_ids()
    assert "wenming.W001" not in found
    assert "wenming.W002" not in found


def test_it_warns_when_no_cjk_font_is_installed(db, monkeypatch):
    monkeypatch.setattr(wenming_checks, "cjk_font_available", lambda: False)
    warning = run_ids()["wenming.W001"]
    assert "中文字体" in warning.msg and "方框" in warning.msg
    assert "fonts-noto-cjk" in warning.hint


def test_it_warns_when_harfbuzz_subset_is_missing(db, monkeypatch):
    monkeypatch.setattr(wenming_checks, "harfbuzz_subset_available", lambda: False)
    warning = run_ids()["wenming.W002"]
    assert "fontTools" in warning.msg and "数秒" in warning.msg
    assert "libharfbuzz-subset0" in warning.hint
