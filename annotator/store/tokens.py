"""Personal sign-in tokens for `annotator serve`: issue, look up, revoke.

The token itself is shown to its owner once and never stored: the store keeps its SHA-256
(``annotator.token_hash``, unique and indexed). A token is random (``secrets``), so a plain
SHA-256 is enough; a slow password hash would only add cost to every sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from annotator.store.engine import StoreError
from annotator.store.models import Annotator

TOKEN_BYTES = 24  # 192 random bits, 32 URL-safe characters: easy to paste, beyond guessing
MAX_TOKEN_CHARS = 200  # anything longer is not one of ours: refused without hashing it


@dataclass(frozen=True)
class TokenHolder:
    """Who a token belongs to (plain data: the caller's session may be closed)."""

    id: int
    name: str
    role: str
    token_hash: str  # to check later that this sign-in is still current


def hash_token(token: str) -> str:
    """The hex SHA-256 the store keeps for `token` (surrounding blanks ignored)."""
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def _by_name(session: Session, name: str) -> Annotator:
    person = session.exec(select(Annotator).where(Annotator.name == name.strip())).first()
    if person is None:
        raise StoreError(
            f"no annotator called {name.strip()!r}: add them with "
            f"`annotator annotators add {name.strip()} --token`"
        )
    return person


def issue_token(session: Session, *, name: str) -> str:
    """A new token for the annotator called `name`; any previous token stops working.

    Returns the token: the only time it exists outside its owner's hands."""
    person = _by_name(session, name)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    person.token_hash = hash_token(token)
    session.add(person)
    session.flush()
    return token


def revoke_token(session: Session, *, name: str) -> bool:
    """Take away `name`'s token. False when they had none."""
    person = _by_name(session, name)
    if person.token_hash is None:
        return False
    person.token_hash = None
    session.add(person)
    session.flush()
    return True


def find_by_token(session: Session, *, token: str) -> TokenHolder | None:
    """The annotator `token` belongs to, or None.

    The lookup is by the token's hash: an index probe's timing can at most leak how much of a
    hash matched, and the hash of a guess says nothing about the real token's characters. The
    found row is still compared in constant time, so a match never rests on ``==``."""
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    digest = hash_token(token)
    row = session.exec(select(Annotator).where(Annotator.token_hash == digest)).first()
    if row is None or row.token_hash is None or row.id is None:
        return None
    if not hmac.compare_digest(row.token_hash.encode(), digest.encode()):
        return None
    return TokenHolder(id=row.id, name=row.name, role=row.role, token_hash=row.token_hash)


def still_valid(session: Session, *, holder: TokenHolder) -> bool:
    """Is `holder`'s token still theirs (not revoked or replaced since they signed in)?"""
    current = session.exec(select(Annotator.token_hash).where(Annotator.id == holder.id)).first()
    return current is not None and hmac.compare_digest(current.encode(), holder.token_hash.encode())


def count_token_holders(session: Session) -> int:
    """How many annotators can sign in from a browser."""
    stmt = select(func.count()).select_from(Annotator).where(Annotator.token_hash.is_not(None))  # type: ignore[union-attr]
    return int(session.exec(stmt).one())
