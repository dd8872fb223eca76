"""The password rule for built-in accounts: long enough, not too long, and not guessable.

* At least :data:`MIN_LENGTH` (12) characters — NIST SP 800-63B §5.1.1.2 asks for at least 8; 12 is this product's
  rule (OWASP ASVS 4.0.3 V2.1.1).
* At most :data:`MAX_LENGTH` (128) characters — ASVS V2.1.2 (64 must be allowed, more than 128 refused).
* A guessability score of at least :data:`MIN_SCORE` (3 of 4) from ``zxcvbn`` (Wheeler, "zxcvbn: Low-Budget
  Password Strength Estimation", USENIX Security 2016), which matches the password against lists of common and
  breached passwords, English words, names, keyboard patterns, repeats, sequences and dates, and against the
  account's own username and name. Score 3 means an estimated 10^8 guesses or more ("safely unguessable: moderate
  protection from an offline slow-hash scenario"). This is the breached/common-password check of ASVS V2.1.7 done
  offline: no password leaves the server.

No composition rules (upper case, digits, symbols; ASVS V2.1.9): a long passphrase passes, "Password123!" does not.
"""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3
PRODUCT_WORDS = ("hospital", "workforce", "analytics", "streamlit", "admin", "demo", "password")
"""Words of this product that make a password easy to guess here, passed to zxcvbn with the user's own names."""


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why ``password`` may not be used, as a sentence for the user; None when it is acceptable.

    ``user_inputs`` are the account's username, display name and the like (a password built from them is weak).
    """
    if len(password) < MIN_LENGTH:
        return f"Passwords must have at least {MIN_LENGTH} characters; a few unrelated words make a good one."
    if len(password) > MAX_LENGTH:
        return f"Passwords may have at most {MAX_LENGTH} characters."
    inputs = list(PRODUCT_WORDS)
    for text in user_inputs:
        inputs += [str(text), *str(text).replace(".", " ").replace("@", " ").split()]
    result = zxcvbn(password, user_inputs=[w for w in inputs if w][:50])
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    hint = " ".join(part for part in (feedback.get("warning"), *feedback.get("suggestions", [])) if part)
    return "This password is too easy to guess (it is common, or built from a pattern or your own name). " + (
        hint or "Use a few unrelated words."
    )
