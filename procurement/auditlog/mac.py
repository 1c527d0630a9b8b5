"""The audit log's keyed MAC: HMAC-SHA256 over each entry's chain hash, with a key kept outside the
database (``SMEPROC_AUDIT_MAC_KEY``).

The chain hash already covers the previous entry's hash, so a valid MAC on entry N vouches for
entries 1..N as they were written. Someone who can write to the database but does not hold the key can
recompute every SHA-256 hash with the project's own function, but not the MACs.

The key is process-wide (one per deployment), set once at start-up by the app and the CLI.
"""

import hashlib
import hmac

_key: bytes | None = None


def configure(key: str | bytes | None) -> None:
    """Set (or with None, clear) the MAC key for this process."""
    global _key
    if isinstance(key, str):
        key = key.encode()
    _key = key or None


def configured() -> bool:
    return _key is not None


def mac_of(chain_hash: str) -> str | None:
    """The entry's MAC, or None when no key is configured (then rewriting cannot be detected)."""
    if _key is None:
        return None
    return hmac.new(_key, chain_hash.encode(), hashlib.sha256).hexdigest()


def mac_matches(chain_hash: str, mac: str) -> bool:
    expected = mac_of(chain_hash)
    return expected is not None and hmac.compare_digest(expected, mac)
