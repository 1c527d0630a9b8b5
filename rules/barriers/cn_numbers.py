"""Chinese and Arabic numerals to exact Decimals: 壹仟万, 一千二百五十, 1,000, 0.5, ２０００.

Pure and small on purpose: the numbers of tender text mix capital numerals, ordinary numerals,
Arabic digits with thousands separators and 万/亿 multipliers, and must come out as exact Decimals.
"""

from decimal import Decimal, InvalidOperation

_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8,
    "玖": 9,
}  # fmt: skip
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)

# Full-width digits, letters and the symbols numbers are written with map one-to-one onto ASCII, so
# the translation keeps every offset. Chinese punctuation (，。；：（）) stays: clause rules are
# written against it, and a comma inside a number is handled by the number pattern.
_WIDE_CODES = [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
_WIDE_CODES += [ord(c) for c in "％．＜＝＞＋－"]
FULLWIDTH_TO_ASCII = {code: code - 0xFEE0 for code in _WIDE_CODES}
FULLWIDTH_CHARS = "".join(chr(code) for code in _WIDE_CODES)


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and number symbols to ASCII, one character for one character."""
    return text.translate(FULLWIDTH_TO_ASCII)


def parse_arabic(text: str) -> Decimal | None:
    """``"1,000"`` -> 1000, ``"0.5"`` -> 0.5; None when it is not a number."""
    try:
        return Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None


def parse_chinese(text: str) -> Decimal | None:
    """``"壹仟万"`` -> 10000000, ``"十五"`` -> 15, ``"三"`` -> 3; None when not a numeral."""
    if not text or any(ch not in CN_NUMERAL_CHARS for ch in text):
        return None
    if all(ch in _DIGITS for ch in text) and len(text) > 1:
        # 二〇二四 style: digit by digit
        return Decimal("".join(str(_DIGITS[ch]) for ch in text))
    total = 0  # completed 亿 / 万 sections
    section = 0  # the current section below 万
    digit: int | None = None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        else:
            big = _BIG_UNITS[ch]
            value = section + (digit or 0)
            if value == 0 and total == 0:
                value = 1
            # 一亿五千万: 亿 scales everything so far, 万 only the current section
            total = (total + value) * big if big > _BIG_UNITS["万"] else total + value * big
            section, digit = 0, None
    return Decimal(total + section + (digit or 0))


def parse_number(text: str) -> Decimal | None:
    """Either kind of numeral, with a trailing 万 / 亿 multiplier allowed after Arabic digits."""
    text = to_halfwidth(text).strip()
    if not text:
        return None
    multiplier = 1
    while text and text[-1] in _BIG_UNITS and text[0] not in CN_NUMERAL_CHARS:
        multiplier *= _BIG_UNITS[text[-1]]
        text = text[:-1]
    value = parse_arabic(text)
    if value is None:
        value = parse_chinese(text)
    return None if value is None else value * multiplier
