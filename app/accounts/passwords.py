"""Password rules after NIST SP 800-63B (5.1.1.2): a minimum and a generous maximum length, no
composition rules, and a check against passwords known from leaks."""

from __future__ import annotations

import functools
import string
from pathlib import Path

from app.errors import N_, DomainError

MIN_LENGTH = 12
# Generous, so that a sentence or a password manager's output always fits; argon2 hashes any
# length in the same time.
MAX_LENGTH = 256
_LIST = Path(__file__).with_name("common_passwords.txt")
# What people put around a common word to "make it strong": password2024!, !qwerty123.
_DECORATION = string.digits + string.punctuation + " "


@functools.cache
def common_passwords() -> frozenset[str]:
    """Read once, when the first password is checked (about 3 MB in memory)."""
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    """One of the common passwords, also in capitals, with digits or punctuation around it,
    or repeated (dragondragon); or a short piece repeated (abcabcabcabc, 111111111111)."""
    known = common_passwords()
    lowered = password.lower()
    core = lowered.strip(_DECORATION)
    if lowered in known or core in known or not core:
        return True
    for size in range(1, len(core) // 2 + 1):
        unit = core[:size]
        if unit * (len(core) // size) == core and (size <= 4 or unit in known):
            return True
    return False


def check_password_rules(password: str) -> None:
    """A DomainError that names the rule the password breaks."""
    if len(password) < MIN_LENGTH:
        raise DomainError(N_("The password must be at least %(n)d characters long."), n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise DomainError(N_("The password can be at most %(n)d characters long."), n=MAX_LENGTH)
    if is_common(password):
        raise DomainError(
            N_(
                "This password is among the most common ones, or made from one, and is easy to "
                "guess. Choose another: a sentence you can remember works well."
            )
        )
