"""parse_email on real .eml files: Chinese charsets, broken declarations, HTML-only mail,
attachments, quoted replies and deliberately broken messages."""

from __future__ import annotations

import pytest

from kefu.messaging.parsing import parse_email
from kefu.messaging.parsing.charsets import decode_bytes, decode_header_text
from tests.messaging.conftest import eml


def test_plain_utf8_reads_sender_subject_ids_and_date():
    parsed = parse_email(eml("plain_utf8"))
    assert parsed.subject == "Where is my order?"
    assert (parsed.from_name, parsed.from_address) == ("Casey Jones", "casey@example.com")
    assert parsed.message_id == "plain-utf8-1@example.com"
    assert parsed.date is not None
    assert parsed.date.year == 2024
    assert "has not arrived yet" in parsed.text
    assert parsed.problems == []
    assert not parsed.is_automatic


@pytest.mark.parametrize(
    ("name", "subject", "sender", "words"),
    [
        ("gb2312", "订单查询：我的包裹在哪里？", "王先生", "请帮我查询一下物流信息"),
        ("gbk", "喆和堃的账户问题", "陶喆", "我的朋友王堃无法登录账户"),
        ("gb18030", "生僻字㐀的显示问题", "张㐀", "生僻字“㐀”和“𠀀”"),
        ("big5", "請問退款進度", "陳小姐", "我上週申請的退款還沒有收到"),
    ],
)
def test_legacy_chinese_charsets_in_body_and_rfc2047_headers(name, subject, sender, words):
    parsed = parse_email(eml(name))
    assert parsed.subject == subject
    assert parsed.from_name == sender
    assert words in parsed.text
    assert "\ufffd" not in parsed.text


def test_missing_charset_gbk_bytes_in_body_and_raw_subject():
    parsed = parse_email(eml("missing_charset"))
    assert parsed.subject == "账户无法登录"
    assert "我的账户无法登录，提示密码错误" in parsed.text


@pytest.mark.parametrize("name", ["wrong_charset_utf8", "wrong_charset_gbk"])
def test_declared_latin1_but_really_utf8_or_gbk(name):
    parsed = parse_email(eml(name))
    assert parsed.text == "你好，我申请的退款还没有到账，请问进度如何？"
    assert parsed.subject == "退款进度"


def test_html_only_mail_becomes_readable_text_and_safe_html():
    parsed = parse_email(eml("html_only"))
    assert "The invoice page shows an error & I can't pay." in parsed.text
    assert "my invoice (https://shop.example.com/invoice/77)" in parsed.text
    assert "- Browser: Firefox\n- Error: 500" in parsed.text
    assert "alert" not in parsed.text
    assert "color: red" not in parsed.text
    html = parsed.html
    assert "<b>invoice</b>" in html
    assert 'href="https://shop.example.com/invoice/77"' in html
    for unsafe in ("<script", "javascript:", "onclick", "onmouseover", "tracker.example.net"):
        assert unsafe not in html


def test_multipart_alternative_prefers_the_plain_text():
    parsed = parse_email(eml("alternative"))
    assert parsed.text == "Plain part: the app crashes when I open settings."
    assert "<i>crashes</i>" in parsed.html


def test_attachment_with_rfc2231_chinese_name_and_inline_cid_image():
    parsed = parse_email(eml("attachment_inline"))
    by_name = {item.filename: item for item in parsed.attachments}
    assert set(by_name) == {"screen.png", "发票 2024.pdf"}
    assert by_name["screen.png"].inline
    assert by_name["screen.png"].content_id == "screen@example"
    assert by_name["发票 2024.pdf"].content.startswith(b"%PDF")
    assert 'src="cid:screen@example"' in parsed.html


def test_exe_attachment_is_kept_back_and_recorded():
    parsed = parse_email(eml("exe_attachment"))
    assert [item.filename for item in parsed.attachments] == ["app.log"]
    assert any("fix.exe" in problem for problem in parsed.problems)


def test_oversized_attachment_is_kept_back(settings):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "big@example.com"
    message.set_content("see attached")
    message.add_attachment(
        b"x" * (10 * 1024 * 1024 + 1), maintype="application", subtype="zip", filename="huge.zip"
    )
    parsed = parse_email(message.as_bytes())
    assert parsed.attachments == []
    assert any("huge.zip" in problem and "10 MB" in problem for problem in parsed.problems)


def test_quoted_reply_and_signature_are_set_apart():
    parsed = parse_email(eml("quoted_reply"))
    assert parsed.text == (
        "Thanks, that worked! One more question: can I change the delivery address?"
    )
    assert "Please restart the router." in parsed.quoted_text
    assert "ACME Inc." in parsed.quoted_text


def test_chinese_quoted_reply_and_qq_original_message_are_set_apart():
    parsed = parse_email(eml("quoted_reply_zh"))
    assert parsed.text == "好的，谢谢！另外发票什么时候可以开？"
    assert "写道" in parsed.quoted_text
    assert "请问退款进度" in parsed.quoted_text


def test_outlook_and_gmail_html_quotes_are_set_apart():
    parsed = parse_email(eml("outlook_reply"))
    assert parsed.text == "I still see the error after the update."
    assert "Please update the app." in parsed.quoted_text
    assert "Please update the app." not in parsed.html


def test_forwarded_message_is_an_attachment_and_quoted():
    parsed = parse_email(eml("forwarded"))
    assert parsed.text == "Forwarding this, please advise."
    assert "Original partner text" in parsed.quoted_text
    assert parsed.attachments[0].content_type == "message/rfc822"


def test_auto_reply_is_automatic():
    parsed = parse_email(eml("auto_reply"))
    assert parsed.is_automatic
    assert "Auto-Submitted" in parsed.automatic_reason


def test_truncated_mime_keeps_the_text_and_says_it_is_damaged():
    parsed = parse_email(eml("truncated"))
    assert parsed.text == "The log file is attached."
    assert parsed.problems


def test_missing_headers_and_garbage_never_raise():
    no_from = parse_email(eml("no_from"))
    assert no_from.from_address == ""
    assert no_from.text == "This message has no sender."
    no_id = parse_email(eml("no_message_id"))
    assert no_id.message_id == ""
    assert no_id.date is None
    assert no_id.from_address
    garbage = parse_email(eml("garbage"))
    assert garbage.from_address == ""
    assert parse_email(b"").from_address == ""


def test_broken_encoded_words_and_unknown_charsets_still_read():
    parsed = parse_email(eml("broken_header"))
    assert parsed.from_name == "张三"
    assert parsed.from_address == "zhang@example.cn"
    assert "退款" in parsed.subject
    assert parsed.text == "body 你好"
    assert parsed.date is None


def test_charset_guessing_order():
    assert decode_bytes("中文邮件".encode("gbk"), "iso-8859-1") == ("中文邮件", "gb18030")
    assert decode_bytes("中文郵件內容".encode("big5"), None)[0] == "中文郵件內容"
    assert decode_bytes("café résumé".encode("latin-1"), None)[0] == "café résumé"
    assert decode_bytes("naïve".encode(), "gb2312")[0] == "naïve"
    assert decode_header_text("=?gb2312?B?1tDOxA==?=") == "中文"
    assert decode_header_text("=?utf-8?B?5Lit5paH?==?utf-8?B?5Lit?=") == "中文中"
