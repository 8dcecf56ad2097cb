"""The README and docs/ stay short and true: the README fits in 300 lines and links every page of
docs/; every relative link (and #anchor) leads somewhere; every `manage.py` command they name exists,
with the options they give it; every script under bin/ and every file path they name exists;
operations.md's settings table names exactly the environment variables wenming/settings.py reads;
and the shell blocks marked `<!-- runs in tests/ops/test_docs.py -->` run as written, in a fresh
production environment (DEBUG=0, an empty SQLite database of their own; a block may set DEBUG=1)."""
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class

from tests.ops.test_production import production_env

ROOT = Path(settings.BASE_DIR)
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, ROOT / "CONTRIBUTING.md", *DOCS]
FENCE = re.compile(r"^```.*?^```[ \t]*$", re.M | re.S)
MARKER = "<!-- runs in tests/ops/test_docs.py -->"


def text_of(page):
    return page.read_text(encoding="utf-8")


def prose(text):
    """The text outside fenced code blocks."""
    return FENCE.sub("", text)


def slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation and symbols dropped, spaces to -."""
    kept = "".join(c for c in heading.strip().lower()
                   if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors(page):
    found, seen = set(), {}
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", prose(text_of(page)), re.M):
        heading = re.sub(r"`([^`]*)`", r"\1", heading)
        base = slug(heading)
        n = seen.get(base, 0)
        found.add(base if n == 0 else f"{base}-{n}")
        seen[base] = n + 1
    return found


def test_the_readme_fits_in_300_lines():
    assert len(text_of(README).splitlines()) <= 300


def test_the_readme_links_every_page_of_docs():
    linked = {(ROOT / target.partition("#")[0]).resolve()
              for target in re.findall(r"\]\(([^)\s]+)\)", text_of(README))}
    assert [page.name for page in DOCS if page.resolve() not in linked] == []


def test_every_relative_link_leads_to_a_file_and_its_anchor_to_a_heading():
    broken = []
    for page in PAGES:
        for target in re.findall(r"\]\(([^)\s]+)\)", prose(text_of(page))):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in anchors(file):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def test_the_anchors_are_githubs():
    assert slug("市 → 区县 → 单位 (one installation for a whole city)") == "市--区县--单位-one-installation-for-a-whole-city"
    assert slug("Restoring while app servers run") == "restoring-while-app-servers-run"


def named_commands():
    """(page, command, its options) for every `manage.py <command>` in the README and docs."""
    for page in PAGES:
        text = text_of(page)
        for match in re.finditer(r"manage\.py[ \t]+([a-z_]+)", text):
            rest = re.split(r"`|\n|&&|;|\||#|'|\)", text[match.end():], maxsplit=1)[0]
            yield page.name, match.group(1), re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", rest)


def test_every_manage_py_command_named_exists_with_the_options_given():
    commands = get_commands()  # developer settings: the benchmarks are installed in tests
    wrong = []
    for page, name, options in named_commands():
        if name == "help":
            known = {"--commands"}
        elif name not in commands:
            wrong.append(f"{page}: manage.py {name} (no such command)")
            continue
        else:
            parser = load_command_class(commands[name], name).create_parser("manage.py", name)
            known = set(parser._option_string_actions)
        wrong += [f"{page}: manage.py {name} {option}" for option in options if option not in known]
    assert wrong == []
    assert len({name for _, name, _ in named_commands()}) > 20  # the pattern still finds them


# Paths in backticks under these folders must exist (in the repository, or as a template name).
TOP = ("ledgers/", "reports/", "wenming/", "benchmarks/", "tests/", "templates/", "static/", "bin/", "docs/")


def named_paths():
    for page in PAGES:
        for code in re.findall(r"`([^`\n]+)`", text_of(page)):
            for word in code.split():
                word = word.rstrip(",.:;")
                if not word.startswith(TOP) or re.search(r"[<>…*$]", word):
                    continue
                braces = re.search(r"\{([^}]*)\}", word)
                options = braces.group(1).split(",") if braces else [""]
                for option in options:
                    yield page.name, word.replace(braces.group(0), option) if braces else word


def test_every_path_named_exists():
    missing = [f"{page}: {path}" for page, path in named_paths()
               if not (ROOT / path).exists() and not (ROOT / "templates" / path).exists()]
    assert missing == []
    assert len(list(named_paths())) > 100


def test_every_script_named_under_bin_exists():
    scripts = {name for page in PAGES for name in re.findall(r"(?<![\w/.-])bin/([a-z][a-z-]*)", text_of(page))}
    assert scripts >= {"serve", "test", "setup", "with-postgres", "with-seaweedfs"}
    assert sorted(s for s in scripts if not (ROOT / "bin" / s).exists()) == []


def settings_variables():
    source = (ROOT / "wenming" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'(?:environ\.get\(|environ\[|env_bool\(|env_list\()\s*"([A-Z][A-Z0-9_]*)"', source))


def env_example_variables():
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text_of(ROOT / ".env.example"), re.M))


def settings_table():
    text = text_of(ROOT / "docs" / "operations.md")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def test_the_settings_table_names_exactly_the_variables_the_settings_read():
    table, read = settings_table(), settings_variables()
    assert "DATABASE_URL" in read and "EMAIL_USE_TLS" in read  # the pattern still finds them
    assert sorted(table - read - env_example_variables()) == []  # nothing the app does not read
    assert sorted(read - table - {"WENMING_TEST_DB"}) == []  # WENMING_TEST_DB: the test suite's own


def test_the_env_example_names_only_variables_the_settings_read():
    assert sorted(env_example_variables() - settings_variables()) == []


def marked_blocks():
    for page in PAGES:
        text = text_of(page)
        for match in re.finditer(re.escape(MARKER) + r"\s*\n```sh\n(.*?)^```", text, re.M | re.S):
            line = text[:match.start()].count("\n") + 1
            yield pytest.param(match.group(1), id=f"{page.name}:{line}")


def test_blocks_are_marked():
    assert len(list(marked_blocks())) >= 3
    assert sum(text_of(page).count(MARKER) for page in PAGES) == len(list(marked_blocks()))


@pytest.mark.parametrize("block", list(marked_blocks()))
def test_the_marked_shell_blocks_run_as_written(block, tmp_path):
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=ROOT, env=production_env(tmp_path),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
