"""Every user-facing string is translatable, and every one has a Chinese translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from lifecert.core.i18n import LOCALE_DIR, gettext, set_locale

REPO = Path(__file__).resolve().parents[2]


def _msgids(path: Path) -> set[str]:
    with path.open("rb") as fh:
        return {str(m.id) for m in read_po(fh) if m.id}


def test_template_is_up_to_date_and_fully_translated(tmp_path: Path) -> None:
    # Re-extract from the current source with the project's own keywords and compare.
    script = (REPO / "scripts" / "extract_messages.sh").read_text()
    keywords = [w for w in script.split("for cls in ", 1)[1].split(";", 1)[0].split() if w != "\\"]
    pot = tmp_path / "fresh.pot"
    args = ["-k", "N_", "-k", "gettext", "-k", "ngettext:1,2"]
    for kw in keywords:
        args += ["-k", kw]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(REPO / "babel.cfg"),
            *args,
            "-o",
            str(pot),
            str(REPO / "src"),
        ],
        check=True,
        capture_output=True,
    )
    fresh = _msgids(pot)
    zh_path = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
    with zh_path.open("rb") as fh:
        zh = {str(m.id): m.string for m in read_po(fh) if m.id}
    # A plural entry's msgstr is a tuple: translated only when every form is filled.
    done = {k for k, v in zh.items() if (v if isinstance(v, str) else all(v))}
    missing = sorted(fresh - done)
    assert not missing, f"untranslated (run scripts/extract_messages.sh, then translate): {missing}"


def test_default_is_chinese_and_english_is_available() -> None:
    set_locale("zh_CN")
    assert gettext("Log in") == "登录"
    set_locale("en")
    assert gettext("Log in") == "Log in"
    set_locale("zh_CN")


def test_pages_follow_the_language_cookie_and_header(client: TestClient) -> None:
    assert "工作人员登录" in client.get("/login").text
    assert "Staff login" in client.get("/login", headers={"Accept-Language": "en-GB"}).text
    client.get("/lang/en", headers={"referer": "http://testserver/login"})
    page = client.get("/login")
    assert "Staff login" in page.text and 'lang="en"' in page.text
