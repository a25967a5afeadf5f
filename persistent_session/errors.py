"""The exceptions that the package raises besides TypeError and KeyError.

Every one derives from `SessionError`, so a page can catch them all at once:

    try:
        Session.set_persistent("draft", text)
    except QuotaExceededError as exc:
        show("Too large to keep: " + str(exc))

Invalid values and keys raise the built-in TypeError, and calls made before
`start()` has finished raise RuntimeError.
"""

__all__ = ["QuotaExceededError", "SessionError", "StorageError"]


class SessionError(Exception):
    """Base class of the errors that persistent_session raises."""


class StorageError(SessionError):
    """Web Storage rejected a write; memory and storage keep the previous value.

    A failed sign-in is the exception: it leaves nobody signed in, and `key`
    is then the user entry's name "__ps!user". Otherwise `key` is the session
    key. `size` is the length in characters of the entry that could not be
    written.
    """

    def __init__(self, message: str, key: str, size: int) -> None:
        super().__init__(message)
        self.key = key
        self.size = size


class QuotaExceededError(StorageError):
    """The write failed because the storage quota of the origin is exhausted."""
