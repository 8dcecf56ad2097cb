"""System checks: warn when Chinese PDFs would show boxes or take seconds each.

- No CJK font (Debian's fonts-noto-cjk): Chinese text in PDFs renders as empty boxes.
- No HarfBuzz subsetting library (libharfbuzz-subset0): WeasyPrint falls back to fontTools
  and every Chinese PDF takes seconds instead of about a tenth of a second.
"""
import ctypes.util
import glob
import shutil
import subprocess

from django.core.checks import Warning, register

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC")
FONT_GLOBS = ("/usr/share/fonts/**/Noto*CJK*", "/usr/local/share/fonts/**/Noto*CJK*")


def cjk_font_available():
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True,
                                 text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        if any(family in out for family in CJK_FAMILIES):
            return True
    return any(glob.glob(pattern, recursive=True) for pattern in FONT_GLOBS)


def harfbuzz_subset_available():
    if ctypes.util.find_library("harfbuzz-subset"):
        return True
    try:
        ctypes.CDLL("libharfbuzz-subset.so.0")
    except OSError:
        return False
    return True


@register()
def pdf_fonts_check(app_configs, **kwargs):
    warnings = []
    if not cjk_font_available():
        warnings.append(Warning(
            "未找到中文字体（Noto Sans/Serif CJK SC），PDF 中的中文将显示为方框。",
            hint="安装 Debian 软件包 fonts-noto-cjk：apt-get install fonts-noto-cjk（bin/setup 会自动安装）。",
            id="wenming.W001",
        ))
    if not harfbuzz_subset_available():
        warnings.append(Warning(
            "未找到 HarfBuzz 字体子集库（libharfbuzz-subset），WeasyPrint 将改用 fontTools，"
            "每份中文 PDF 需要数秒而不是约 0.1 秒。",
            hint="安装 Debian 软件包 libharfbuzz-subset0：apt-get install libharfbuzz-subset0。",
            id="wenming.W002",
        ))
    return warnings
