"""Secrets handed to people (sign-in links, API tokens) are stored only as digests."""

from __future__ import annotations

import hashlib


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
