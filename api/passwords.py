"""Users' passwords for the web pages: the rules a new one follows, and argon2id hashes of them.

Only the hash is stored. Its parameters are argon2-cffi's defaults (RFC 9106's low-memory
profile); when a later version changes them, a hash made with the old ones is replaced at the
next successful sign-in (:func:`needs_rehash`).
"""

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 1024  # a longer one is a pasted file, not a password
HASHER = PasswordHasher()


class PasswordRefused(Exception):
    """Raised when a new password breaks a rule (``code`` says which); nothing is stored."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def check_rules(password: str) -> None:
    """Checks a new password's length.

    Raises:
        PasswordRefused: ``password`` is shorter than :data:`MIN_LENGTH` (PASSWORD_TOO_SHORT) or
            longer than :data:`MAX_LENGTH` (PASSWORD_TOO_LONG) characters.
    """
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(
            "PASSWORD_TOO_SHORT",
            f"the password is {len(password)} characters long; it needs at least {MIN_LENGTH}.",
        )
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(
            "PASSWORD_TOO_LONG", f"the password is {len(password)} characters long; at most {MAX_LENGTH} are allowed."
        )


def hashed(password: str) -> str:
    """The argon2id hash of ``password``, once it follows the rules (CPU-bound: run it in a thread).

    Raises:
        PasswordRefused: it does not (:func:`check_rules`).
    """
    check_rules(password)
    return rehashed(password)


def rehashed(password: str) -> str:
    """The argon2id hash of a password already in use, with today's parameters, whatever today's rules."""
    return HASHER.hash(as_bytes(password))


def matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made from (CPU-bound: run it in a thread).

    Without a hash (an unknown name, a user without a password) it checks against a hash of a random
    password instead, so that the answer takes as long, and is False.
    """
    try:
        return HASHER.verify(password_hash or dummy_hash(), as_bytes(password)) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def as_bytes(password: str) -> bytes:
    """The password's UTF-8 bytes; a lone surrogate (which a browser's form never sends) is kept, not an error."""
    return password.encode("utf-8", "surrogatepass")


def needs_rehash(password_hash: str) -> bool:
    """Whether ``password_hash`` was made with other parameters than today's."""
    return HASHER.check_needs_rehash(password_hash)


@functools.cache
def dummy_hash() -> str:
    """A hash of a random password, made with today's parameters, once per process."""
    return HASHER.hash(secrets.token_urlsafe(16))


def random_password() -> str:
    """A fresh random password of 16 URL-safe characters (the demo's users get one each run)."""
    return secrets.token_urlsafe(12)
