"""The unified social credit code (统一社会信用代码) and its check character, per GB 32100-2015."""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first17: str) -> str:
    """The 18th character for the first 17; ValueError on a character outside the alphabet."""
    total = 0
    for char, weight in zip(first17, WEIGHTS, strict=True):
        value = ALPHABET.find(char)
        if value < 0:
            raise ValueError(f"character {char!r} is not allowed in a credit code")
        total += value * weight
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> tuple[str, str] | None:
    """Why ``code`` is not a valid credit code, as (Chinese, English); None when it is valid."""
    if len(code) != LENGTH:
        return (
            f"统一社会信用代码应为18位，实际为{len(code)}位",
            f"must be 18 characters, got {len(code)}",
        )
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        return (
            f"统一社会信用代码含有不允许的字符：{''.join(bad)}",
            f"contains characters not allowed by GB 32100-2015: {''.join(bad)}",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return (
            f"统一社会信用代码校验码错误（应为{expected}）",
            f"check character is wrong (expected {expected})",
        )
    return None


def with_check_character(first17: str) -> str:
    """A complete valid code from its first 17 characters (for demo data and tests)."""
    return first17 + check_character(first17)
