"""What the store refuses, as values a caller can act on."""


class EventStoreError(Exception):
    """Base of the store's own errors."""


class ConcurrencyConflict(EventStoreError):
    """The stream is not at the version the writer expected."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id!r} is at version {actual}, expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
