"""Join codes, secrets and their hashes.

* A join code is 8 symbols from a 32-symbol alphabet without look-alikes (no 0/O, 1/I), drawn with
  :mod:`secrets`: 40 bits, shown as ``ABCD-EFGH``. Joining is also rate-limited by the store.
* The facilitator key and team tokens are 128-bit URL-safe secrets. Only their SHA-256 is stored;
  with that much entropy a salt adds nothing, and comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_BITS = CODE_LENGTH * math.log2(len(ALPHABET))


def new_code() -> str:
    """A fresh join code such as ``K7QM-3XRT``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str | None:
    """The canonical ``XXXX-XXXX`` form of what a participant typed, or None if malformed."""
    raw = "".join(ch for ch in str(text).upper() if ch.isalnum())
    raw = raw.replace("O", "0").replace("I", "1")  # look-alikes are never in a code
    if len(raw) != CODE_LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return f"{raw[:4]}-{raw[4:]}"


def new_secret() -> str:
    """A 128-bit URL-safe secret (facilitator key, team token)."""
    # a key never starts with "-", which a command line would read as an option (--key -x...)
    while (key := secrets.token_urlsafe(16)).startswith("-"):
        pass
    return key


def new_id() -> str:
    """A public identifier (room, team); not a secret."""
    return secrets.token_hex(6)


def digest(secret: str) -> str:
    return hashlib.sha256(str(secret).encode("utf-8")).hexdigest()


def matches(secret: str | None, stored_digest: str) -> bool:
    """Whether ``secret`` hashes to ``stored_digest`` (constant-time comparison)."""
    return secret is not None and hmac.compare_digest(digest(secret), stored_digest)
