"""Plain-text replies: the new words apart from the quoted earlier messages and the signature.

Cut points (everything from the first one on is "quoted"): an "On … wrote:" / "在 … 写道：" line
(also wrapped over two lines), "-----Original Message-----" / "-----原始邮件-----", an Outlook
"From: … Sent: …" header block, the "-- " signature delimiter. Lines starting with ">" above the
cut are quoted too (inline replies keep the customer's own lines). "Sent from my iPhone" at the
end is a signature. If nothing would be left, the whole text is kept as new.
"""

from __future__ import annotations

import re

_WROTE = re.compile(
    r"^(On\s.{0,300}\swrote|(在|于|於).{0,200}(写道|寫道)|.{0,200}\s(a écrit|schrieb))"
    r"\s*[:：]\s*$",
    re.IGNORECASE,
)
_WROTE_START = re.compile(r"^(On\s|在|于|於)", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^[-_=\s]*(-{2,}|_{2,})\s*"
    r"(Original Message|原始邮件|原始郵件|原始信件|Ursprüngliche Nachricht)"
    r"\s*(-{2,}|_{2,})?[-_=\s]*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\**\s*(From|发件人|發件人|寄件者|寄件人)\s*\**\s*[:：]", re.IGNORECASE)
_HEADER_SENT = re.compile(
    r"^\**\s*(Sent|Date|发送时间|發送時間|日期|寄件日期|时间|時間|To|收件人)\s*\**\s*[:：]",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^_{10,}\s*$")
_SIGNATURE = frozenset({"-- ", "--", "—", "-- \r"})
_MOBILE = re.compile(
    r"^(Sent from my \w+|Get Outlook for \w+|发自我的\s?\w+|發自我的\s?\w+|从我的\s?\w+\s?发送|"
    r"從我的\s?\w+\s?傳送)", re.IGNORECASE)  # fmt: skip


def _is_wrote_line(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if _WROTE.match(line):
        return True
    if _WROTE_START.match(line) and index + 1 < len(lines):
        return bool(_WROTE.match(f"{line} {lines[index + 1].strip()}"))
    return False


def _is_outlook_block(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if _UNDERSCORES.match(line):
        following = [item.strip() for item in lines[index + 1 : index + 4] if item.strip()]
        return bool(following) and bool(_HEADER_FROM.match(following[0]))
    if not _HEADER_FROM.match(line):
        return False
    return any(_HEADER_SENT.match(item.strip()) for item in lines[index + 1 : index + 4])


def _cut_index(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if line.rstrip("\r") in _SIGNATURE or _ORIGINAL.match(line.strip()):
            return index
        if _is_wrote_line(lines, index) or _is_outlook_block(lines, index):
            return index
    return len(lines)


def split_quoted(text: str) -> tuple[str, str]:
    """``(new text, quoted text and signature)``."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _cut_index(lines)
    new, quoted = [], []
    for line in lines[:cut]:
        (quoted if line.lstrip().startswith(">") else new).append(line)
    while new and not new[-1].strip():
        new.pop()
    if new and _MOBILE.match(new[-1].strip()):
        quoted.insert(0, new.pop())
    quoted.extend(lines[cut:])
    new_text, quoted_text = "\n".join(new).strip(), "\n".join(quoted).strip()
    if not new_text:
        return (text or "").strip(), ""
    return new_text, quoted_text
