"""Turning mail bytes into text when the declared charset is missing, wrong or legacy Chinese.

Order of trust: pure ASCII; the declared charset when it is a Unicode one; any bytes that are
valid UTF-8 (legacy bytes almost never are); the declared charset when it is a multi-byte CJK
one; the CJK candidate (GB18030, Big5-HKSCS) whose text looks most like real Chinese; the
declared single-byte charset; and Latin-1 last (it decodes anything). GB2312 and GBK are read as
GB18030 (a superset), Big5 as Big5-HKSCS.
"""

from __future__ import annotations

import binascii
import codecs
import quopri
import re
from email.header import decode_header

_CJK_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "x-gbk": "gb18030",
    "euc-cn": "gb18030", "x-euc-cn": "gb18030", "csgb2312": "gb18030", "gb_2312-80": "gb18030",
    "chinese": "gb18030", "gb18030": "gb18030", "ms936": "gb18030",
    "big5": "big5hkscs", "big-5": "big5hkscs", "x-big5": "big5hkscs", "csbig5": "big5hkscs",
    "cp950": "big5hkscs", "big5-hkscs": "big5hkscs", "big5hkscs": "big5hkscs",
}  # fmt: skip
_UNICODE = frozenset({"utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"})
_MULTIBYTE = frozenset({"gb18030", "big5hkscs", "shift_jis", "euc_jp", "iso2022_jp", "euc_kr",
                        "cp949", "hz"})  # fmt: skip
#: Among the non-ASCII characters of a good CJK decoding, at least this share is common Chinese.
MIN_COMMON_SHARE = 0.15
#: A decoding with more replacement characters than this share of its non-ASCII text is refused.
MAX_REPLACED_SHARE = 0.1

# The most frequent Chinese characters, simplified and traditional: real Chinese text decoded
# with the right charset is full of them, the wrong legacy charset gives rare ones or symbols.
_COMMON = frozenset(
    "的一是不了人我在有他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过"
    "发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本"
    "前开但因只从想实日者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最"
    "重并物手应向头文体政美相见被利什二等产或新己制身果加西月话合回特代内信表化老给世位次度门任常"
    "先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活更别打女变四神总何电数安少报"
    "才结反受目太量再感建务做接必场件计管期市直资命山金指许统区保至形社便空决治展马科司五基眼书非"
    "则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领"
    "共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失"
    "转夫令准布始怎呢存未远叫台单影具罗字爱击流备连调深商算质团集百需价花党华城石级整府离况请技际"
    "约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显"
    "吧您谢谢订单账户登录密码退款发票客服问题帮助邮件收到请问麻烦尽快处理感谢支付失败无法打开错误"
    "這們個來說時會對過發後裡為國經動現當沒學種還進體開問從關點業將兩間題見與實長機無於樣讓麼頭義"
    "處應產電話東總條請議給員傳謝訂單帳戶錄碼退發票務問幫郵件處理感謝無誤請您"
)
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def codec_for(declared: str | None) -> str | None:
    """The Python codec for a declared charset, or None when it is unknown or meaningless."""
    name = (declared or "").strip().strip("\"'").lower().split("*")[0]
    if not name or name in {"unknown-8bit", "x-unknown", "unknown", "default", "charset"}:
        return None
    if name in _CJK_ALIASES:
        return _CJK_ALIASES[name]
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):  # base64, rot13, zlib: not charsets
        return None
    codec = info.name.replace("_", "-") if info.name.startswith("utf") else info.name
    return _CJK_ALIASES.get(codec, codec)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError, ValueError):
        return None


def common_share(text: str) -> float:
    """Share of the non-ASCII characters that are frequent Chinese characters or CJK punctuation."""
    wide = [ch for ch in text if ord(ch) > 127]
    if not wide:
        return 0.0
    good = sum(1 for ch in wide if ch in _COMMON or "\u3000" <= ch <= "\u303f" or
               "\uff00" <= ch <= "\uffef")  # fmt: skip
    return good / len(wide)


def _best_cjk(data: bytes) -> tuple[str, str] | None:
    scored = []
    for codec in ("gb18030", "big5hkscs"):
        text = _strict(data, codec)
        if text is not None:
            scored.append((common_share(text), codec, text))
    scored.sort(key=lambda item: item[0], reverse=True)
    if scored and scored[0][0] >= MIN_COMMON_SHARE:
        return scored[0][2], scored[0][1]
    return None


def _least_damaged(data: bytes, codecs_to_try: list[str]) -> tuple[str, str] | None:
    best: tuple[float, str, str] | None = None
    for codec in codecs_to_try:
        try:
            text = data.decode(codec, errors="replace")
        except (LookupError, ValueError):
            continue
        wide = sum(1 for ch in text if ord(ch) > 127) or 1
        share = text.count("\ufffd") / wide
        if best is None or share < best[0]:
            best = (share, codec, text)
    if best is not None and best[0] <= MAX_REPLACED_SHARE:
        return best[2], best[1]
    return None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:  # noqa: PLR0911
    """``(text, codec used)``; never raises."""
    if not data:
        return "", codec_for(declared) or "utf-8"
    if (text := _strict(data, "ascii")) is not None:
        return text, "ascii"
    codec = codec_for(declared)
    if codec in _UNICODE and (text := _strict(data, codec)) is not None:
        return text, codec
    if (text := _strict(data, "utf-8")) is not None:
        return text, "utf-8"
    if codec in _MULTIBYTE and (text := _strict(data, codec)) is not None:
        return text, codec
    if found := _best_cjk(data):
        return found
    single_byte = codec and codec not in _MULTIBYTE and codec not in {"ascii", "us-ascii"}
    if single_byte and (text := _strict(data, codec)) is not None:
        return text, codec
    candidates = [c for c in dict.fromkeys([codec, "utf-8", "gb18030", "big5hkscs"]) if c]
    if found := _least_damaged(data, candidates):
        return found
    return data.decode("latin-1"), "latin-1"


# --- headers ---------------------------------------------------------------------------------


def unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", " ")


def _lenient_word(match: re.Match[str]) -> str:
    charset, encoding, payload = match.group(1), match.group(2).lower(), match.group(3)
    try:
        if encoding == "b":
            cleaned = re.sub(r"[^A-Za-z0-9+/]", "", payload)
            cleaned = (
                cleaned[: len(cleaned) - len(cleaned) % 4] if len(cleaned) % 4 == 1 else cleaned
            )
            data = binascii.a2b_base64(cleaned + "=" * (-len(cleaned) % 4))
        else:
            data = quopri.decodestring(payload.encode("latin-1", "replace"), header=True)
    except (binascii.Error, ValueError):
        return match.group(0)
    return decode_bytes(data, charset)[0]


def _decode_words(value: str) -> str:
    try:
        parts = decode_header(value)
        text = "".join(
            decode_bytes(chunk, charset)[0]
            if charset
            else (chunk.decode("raw-unicode-escape", "replace") if isinstance(chunk, bytes)
                  else chunk)
            for chunk, charset in parts
        )  # fmt: skip
    except Exception:
        text = value
    if "=?" in text:  # words decode_header left alone (no spaces around them, bad padding)
        text = _ENCODED_WORD.sub(_lenient_word, text)
    return text


def decode_header_text(raw: object) -> str:
    """A header value as readable text: RFC 2047 words decoded (also broken ones), raw 8-bit
    bytes guessed like bodies, control characters removed. Never raises."""
    if raw is None:
        return ""
    value = unfold(str(raw))
    if any("\udc80" <= ch <= "\udcff" for ch in value):  # 8-bit bytes kept by the parser
        value = decode_bytes(value.encode("ascii", "surrogateescape"))[0]
    text = _decode_words(value)
    return re.sub(r"\s+", " ", _CONTROL.sub("", text)).strip()
