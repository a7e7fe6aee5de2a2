"""The message catalogues: the same messages in every language with the same placeholders, plural
forms that agree with the number, every key the code asks for present, every message used, and
no English sentence written into the app's pages outside the catalogue."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import willsim
from willsim.params import PARAMETERS
from willsim.reporting import i18n
from willsim.reporting.formatting import LANGS
from willsim.workshop.settings import CRITERIA
from willsim.workshop.strategy import ACCESS, CONTRACTS, DELIVERY, EVENTS, TARGETING

ROOT = Path(willsim.__file__).resolve().parent
TEMPLATES = ROOT / "reporting" / "templates"
DYNAMIC = (
    "attr_",
    "br_",
    "dc_dir_",
    "dc_noun_",
    "dc_prob_",
    "dc_runs_",
    "dc_short_",
    "dc_verdict_",
    "category_",
    "design_",
    "err_",
    "group_",
    "interesting_",
    "level_",
    "res_",
    "sens_",
    "status_",
    "suffix_",
    "unit_",
    "ws_",
    "wse_",
)
"""Families of keys built from a name at run time (``tr(f"group_{group}")``)."""


def names(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_language_has_every_message_with_the_same_placeholders():
    english = i18n.catalogue("en").messages
    for language in LANGS:
        messages = i18n.catalogue(language).messages
        assert set(messages) == set(english), (language, set(messages) ^ set(english))
        for key, text in messages.items():
            forms = text if isinstance(text, tuple) else (text,)
            assert isinstance(text, tuple) == isinstance(english[key], tuple), (language, key)
            en_names = names(english[key][0] if isinstance(english[key], tuple) else english[key])
            for form in forms:
                assert form.strip(), f"{language}: {key} is empty"
                assert names(form) == en_names, (language, key, form)


def test_plural_messages_have_every_form_of_the_language_and_count_n():
    for language in LANGS:
        path = i18n.catalogue_path(language)
        with open(path, "rb") as f:
            po = read_po(f, locale=language)
        plural = [m for m in po if m.id and isinstance(m.id, tuple)]
        assert plural, language
        for m in plural:
            assert len(m.string) == po.num_plurals, (language, m.id)
            assert all("{n}" in form for form in m.string), (language, m.id)


def test_plural_forms_follow_the_number():
    assert i18n.text("changed", "it", n=1) == "1 modificato"
    assert i18n.text("changed", "it", n=2) == "2 modificati"
    assert i18n.text("changed", "it", n=0) == "0 modificati"
    assert i18n.text("changed", "en", n=1) == "1 changed"
    assert i18n.text("ws_workers_short", "en", n=1) == "+1 social worker"
    assert i18n.text("ws_workers_short", "en", n=3) == "+3 social workers"
    assert i18n.text("ws_workers_short", "it", n=1) == "+1 assistente sociale"
    assert i18n.text("count_replicates", "it", n=1) == "1 replica"
    assert i18n.text("count_replicates", "it", n=5) == "5 repliche"
    assert i18n.text("count_residents", "it", n=20000) == "20.000 residenti simulati"
    assert i18n.text("count_residents", "en", n=1000000) == "1,000,000 simulated residents"


def test_lookup_errors_name_the_problem():
    with pytest.raises(KeyError, match="no message 'no_such_key'"):
        i18n.text("no_such_key", "en")
    with pytest.raises(TypeError, match="n=<int>"):
        i18n.text("changed", "en")
    with pytest.raises(ValueError, match="valid languages: en, it"):
        i18n.text("run", "de")


def test_domain_families_are_complete():
    """Every parameter group and unit, workshop criterion, event and strategy choice is named
    in the catalogue."""
    for group in PARAMETERS.groups():
        assert i18n.has(f"group_{group}"), group
    for p in PARAMETERS.values():
        assert i18n.has(f"unit_{p.unit}"), (p.key, p.unit)
    for c in CRITERIA:
        assert i18n.has(f"ws_crit_{c}"), c
    for e in EVENTS:
        assert i18n.has(f"ws_event_{e}"), e
    for family, choices in (
        ("access", ACCESS),
        ("targeting", TARGETING),
        ("delivery", DELIVERY),
        ("contracts", CONTRACTS),
    ):
        for choice in choices:
            assert i18n.has(f"ws_{family}_{choice}"), (family, choice)


def _python_sources() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


LOOKUPS = {"willsim.reporting.i18n": "text", "willsim.app.i18n": "tr"}
"""The lookup functions, by the module that defines them."""


def _lookup_names(tree: ast.AST) -> set[str]:
    """The names a module calls the catalogue's lookup functions by (``text``, ``tr``), if it
    imports them (another module's ``text`` is not the catalogue's)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in LOOKUPS:
            names.update(a.asname or a.name for a in node.names if a.name == LOOKUPS[node.module])
    return names


def _literal_keys() -> dict[str, str]:
    """Keys passed as a literal to the lookup functions: ``tr("x")``, ``text("x", ...)``,
    ``t("x")`` in templates; key -> where."""
    found: dict[str, str] = {}
    for path in _python_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lookups = _lookup_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else ""
            if isinstance(func, ast.Attribute) and func.attr == "tr":
                name = "tr"  # i18n.tr(...)
            first = node.args[0]
            if (
                (name in lookups or (name == "tr" and isinstance(func, ast.Attribute)))
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                found.setdefault(first.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    for path in TEMPLATES.glob("*.j2"):
        for key in re.findall(r"""\bt\(["']([^"']+)["']""", path.read_text(encoding="utf-8")):
            found.setdefault(key, path.name)
    return found


def test_every_key_the_code_asks_for_exists():
    used = _literal_keys()
    assert len(used) > 200  # the scan sees the pages, the report and the workshop
    missing = {k: where for k, where in used.items() if not i18n.has(k)}
    assert not missing, f"keys not in the catalogue: {missing}"


def test_every_message_is_used():
    sources = "\n".join(p.read_text(encoding="utf-8") for p in _python_sources())
    sources += "\n".join(p.read_text(encoding="utf-8") for p in TEMPLATES.glob("*.j2"))
    unused = sorted(
        k
        for k in i18n.all_keys()
        if f'"{k}"' not in sources and f"'{k}'" not in sources and not k.startswith(DYNAMIC)
    )
    assert not unused, f"messages no code uses (delete them from every catalogue): {unused}"


PAGES = [
    "app/app.py",
    "app/compare.py",
    "app/controls.py",
    "app/ecosystem.py",
    "app/explore.py",
    "app/journey.py",
    "app/results_page.py",
    "app/workshop/__init__.py",
    "app/workshop/boardview.py",
    "app/workshop/common.py",
    "app/workshop/facilitator.py",
    "app/workshop/participant.py",
]
"""The app's pages: everything they show comes from the catalogue or a registry."""
PROSE = re.compile(r"[A-Za-z]{2,}[,.;:!?]?\s+[A-Za-z]{2,}")
"""Two words with a space between: a phrase someone could read (keys and paths have none)."""
NOT_SHOWN = {"style", "style_", "classes", "class_", "mime_type", "filename", "tag", "loc"}
ALLOWED = {
    "app/app.py": {"Explore", "Compare", "Results", "Workshop"},  # route labels (not shown)
}


def _shown_strings(path: Path) -> list[tuple[int, str]]:
    """String literals of a page that could reach the screen: not docstrings, not CSS, not
    style or file-name arguments, not module constants named ``CSS*``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # a docstring (of a module, function or attribute)
        if isinstance(node, ast.keyword) and node.arg in NOT_SHOWN:
            skip.update(id(n) for n in ast.walk(node.value))
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id.startswith(("CSS", "WRAP")) for t in node.targets
        ):
            skip.update(id(n) for n in ast.walk(node.value))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("debug", "exception"):
            skip.update(id(n) for n in ast.walk(node))  # log messages
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            out.append((node.lineno, node.value))
    return out


def test_no_english_sentence_is_written_into_the_pages():
    found = []
    for rel in PAGES:
        allowed = ALLOWED.get(rel, set())
        for line, value in _shown_strings(ROOT / rel):
            if value not in allowed and PROSE.search(value):
                found.append(f"{rel}:{line}: {value!r}")
    assert not found, "words outside the catalogue:\n" + "\n".join(found)


def test_the_scan_would_see_a_hard_coded_label(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        'import solara\n\ndef Page():\n    """Docs are fine."""\n'
        '    solara.Button("Run the model", style={"font-size": "1em"})\n'
    )
    assert [v for _, v in _shown_strings(page) if PROSE.search(v)] == ["Run the model"]
