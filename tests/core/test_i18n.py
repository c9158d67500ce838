"""Every page reads in English and Simplified Chinese; the browser chooses, a switch overrides."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

import kefu

LOCALE_DIR = Path(kefu.__file__).parent / "locale"

pytestmark = pytest.mark.django_db


def test_help_center_follows_the_browser_language(client, tenant_a):
    chinese = client.get("/", HTTP_HOST="alpha.localhost", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    english = client.get("/", HTTP_HOST="alpha.localhost", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Alpha Ltd 帮助中心" in chinese.content.decode()
    assert '<html lang="zh-hans">' in chinese.content.decode()
    assert "Alpha Ltd help center" in english.content.decode()


def test_language_switch_overrides_the_browser(client, tenant_a):
    page = client.get("/", HTTP_HOST="alpha.localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.post(
        "/i18n/setlang/",
        {"language": "zh-hans", "next": "/"},
        HTTP_HOST="alpha.localhost",
        HTTP_X_CSRFTOKEN=page.cookies["csrftoken"].value,
    )
    again = client.get("/", HTTP_HOST="alpha.localhost", HTTP_ACCEPT_LANGUAGE="en")
    assert "常见问题解答" in again.content.decode()


def test_public_site_in_chinese(client):
    response = client.get("/", HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "在需要人工之前就给出答案的客服系统" in response.content.decode()


def test_every_message_has_a_compiled_chinese_translation():
    po_text = (LOCALE_DIR / "zh_Hans/LC_MESSAGES/django.po").read_text()
    entries = re.findall(r'\nmsgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', po_text)
    assert len(entries) > 40

    def join(block: str) -> str:
        text = "".join(re.findall(r'"(.*)"', block))
        return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")

    catalog = gettext.translation("django", LOCALE_DIR, languages=["zh_Hans"])
    untranslated = [join(msgid) for msgid, msgstr in entries if join(msgid) and not join(msgstr)]
    assert untranslated == []
    stale = [join(m) for m, _ in entries if join(m) and catalog.gettext(join(m)) == join(m)]
    assert stale == [], "run `kefu compilemessages` in src/kefu"
