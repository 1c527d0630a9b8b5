"""The unified social credit code check character (GB 32100-2015)."""

import pytest

from rules.credit_code import credit_code_problem, with_check_character


@pytest.mark.parametrize("code", ["91110000600037341L", "91350100M000100Y43"])
def test_published_codes_are_valid(code: str) -> None:
    assert credit_code_problem(code) is None


def test_a_wrong_check_character_names_the_right_one() -> None:
    problem = credit_code_problem("91110000600037341A")
    assert problem is not None
    assert "L" in problem[1]


@pytest.mark.parametrize("code", ["9111000060003734", "91110000600037341LL"])
def test_a_code_of_the_wrong_length_is_rejected(code: str) -> None:
    problem = credit_code_problem(code)
    assert problem is not None
    assert "18" in problem[1]


def test_letters_outside_the_alphabet_are_rejected() -> None:
    problem = credit_code_problem("9111000060003734IO")
    assert problem is not None
    assert "IO" in problem[1]


def test_with_check_character_makes_a_valid_code() -> None:
    assert credit_code_problem(with_check_character("91650102MA0000001")) is None
