"""Every error reply text miniredis sends, and the one exception that carries them.

Redis prefixes an error with ``-ERR `` unless the text already starts with its own code word
(``addReplyErrorLength`` in networking.c behaves this way). miniredis makes that explicit: every
message below already carries its code word (ERR, WRONGTYPE, NOAUTH, NOPROTO, EXECABORT, ...),
so the encoder never guesses a prefix. Texts are pinned to Redis 7.0.15 as observed on a running
server, grouped by the family that raises them.
"""

from __future__ import annotations


class CommandError(Exception):
    """An error reply. ``message`` is the full text after the leading ``-``, code word included."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def code(self) -> str:
        """The code word Redis counts in INFO errorstats (``ERR``, ``WRONGTYPE``, ...)."""
        return self.message.split(" ", 1)[0]


class ProtocolError(Exception):
    """A malformed request: the reply is sent, then the connection is closed (Redis does the same)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- generic argument errors (object.c / util.c helpers) ---------------------------------------------
SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
OVERFLOW = "ERR increment or decrement would overflow"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NO_SUCH_KEY = "ERR no such key"
OUT_OF_RANGE = "ERR index out of range"
DB_INDEX = "ERR DB index is out of range"
INVALID_EXPIRE = "ERR invalid expire time in '{}' command"
TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range"
TIMEOUT_NEGATIVE = "ERR timeout is negative"

# --- connection and authentication (server.c / acl.c) ------------------------------------------------
NOAUTH = "NOAUTH Authentication required."
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
AUTH_NO_PASSWORD = (
    "ERR AUTH <password> called without any password configured for the default user. "
    "Are you sure your configuration is correct?"
)
NOPROTO = "NOPROTO unsupported protocol version"
PROTOVER_NOT_INTEGER = "ERR Protocol version is not an integer or out of range"

# --- pub/sub context gate (server.c processCommand) -------------------------------------------------
PUBSUB_CONTEXT = (
    "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
)

REPLICA_KEYSPACE = "ERR Replica can't interact with the keyspace"

# --- transactions (multi.c) ---------------------------------------------------------------------------
MULTI_NESTED = "ERR MULTI calls can not be nested"
EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI"
DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI"
EXECABORT = "EXECABORT Transaction discarded because of previous errors."
WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed"
NOT_ALLOWED_IN_MULTI = "ERR Command not allowed inside a transaction"


def unknown_command(name: bytes, args: list[bytes]) -> str:
    """``ERR unknown command 'X', with args beginning with: 'a' 'b' `` (server.c processCommand).

    Arguments are shown while the shown text is under 128 bytes, each cut to what is left of those 128.
    """
    shown = ""
    for arg in args:
        if len(shown) >= 128:
            break
        shown += f"'{text(arg, 128 - len(shown))}' "
    return f"ERR unknown command '{text(name, 128)}', with args beginning with: {shown}"


def unknown_subcommand(sub: bytes, container: bytes) -> str:
    return f"ERR unknown subcommand '{text(sub, 128)}'. Try {text(container.upper())} HELP."


def wrong_arity(fullname: str) -> str:
    return f"ERR wrong number of arguments for '{fullname}' command"


def text(raw: bytes, limit: int | None = None) -> str:
    """User bytes inside an error text, as C's ``%.*s`` prints them: cut at a NUL byte and at ``limit``.

    Error texts are ``str`` holding one character per byte (latin-1), so raw bytes round-trip exactly.
    """
    nul = raw.find(b"\0")
    if nul >= 0:
        raw = raw[:nul]
    if limit is not None:
        raw = raw[:limit]
    return raw.decode("latin-1")
