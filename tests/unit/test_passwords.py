"""Password rules after NIST SP 800-63B: length, common passwords, no composition rules."""

from __future__ import annotations

import pytest

from app.accounts import passwords
from app.accounts.passwords import MAX_LENGTH, MIN_LENGTH, check_password_rules
from app.errors import DomainError
from app.i18n import translate


def refusal(password: str) -> str:
    with pytest.raises(DomainError) as refused:
        check_password_rules(password)
    return refused.value.message


def test_the_minimum_is_twelve_and_the_message_names_it_in_both_languages() -> None:
    assert MIN_LENGTH == 12
    check_password_rules("tolv tegn ok")
    with pytest.raises(DomainError) as refused:
        check_password_rules("elleve tegn")
    message, params = refused.value.message, refused.value.params
    assert translate("en", message, **params) == "The password must be at least 12 characters long."
    assert translate("da", message, **params) == "Adgangskoden skal være mindst 12 tegn lang."


def test_a_long_sentence_passes_and_a_too_long_one_says_the_maximum() -> None:
    check_password_rules("min hund hedder Fido og elsker regnvejr " * 6)
    check_password_rules("ø" * 10 + " og æbler")  # no composition rules: any letters will do
    message = refusal("a" * 100 + "b" * (MAX_LENGTH - 99))
    assert "at most" in translate("en", message, n=MAX_LENGTH)


@pytest.mark.parametrize(
    "password",
    [
        "qwerty123456",  # on the list as it is
        "QWERTY123456",  # in capitals
        "sonyericsson",
        "password2024!",  # a common one with digits and punctuation around it
        "!!superman!!1",
        "dragondragon",  # a common one repeated
        "abcabcabcabc",  # a short piece repeated
        "111111111111",
        "!!!!!!!!!!!!",
    ],
)
def test_common_and_made_from_common_passwords_are_refused(password: str) -> None:
    message = refusal(password)
    assert "most common" in translate("en", message)
    assert "mest almindelige" in translate("da", message)


def test_the_list_is_the_vendored_one_and_is_read_once() -> None:
    common = passwords.common_passwords()
    assert len(common) == 30_000 and "password" in common
    assert passwords.common_passwords() is common
