"""Canonym's domain errors: one tree, each with a stable snake_case ``code``.

    CanonymError
    ├── InvalidNameError          code=invalid_name       a name that cannot be used
    │   └── EmptyNameError        code=empty_name         nothing left after normalization
    ├── LimitExceededError        code=limit_exceeded     a configured limit was passed
    │   ├── NameTooLongError      code=name_too_long
    │   ├── BatchTooLargeError    code=batch_too_large
    │   └── BodyTooLargeError     code=body_too_large     a request body over the byte limit
    ├── InputFormatError          code=invalid_input      a file or payload that cannot be read
    │   ├── InvalidValueError     code=invalid_value      read, but the registry cannot keep it
    │   ├── InvalidRequestError   code=invalid_request    a request value the route cannot use
    │   └── UnsupportedMediaTypeError  code=unsupported_media_type  a body that is not JSON
    ├── EntityNotFoundError       code=entity_not_found   no entity (or alias) with that id
    ├── ConflictError             code=conflict           the write clashes with stored data
    ├── UnauthorizedError         code=unauthorized       a write without an API key
    └── ForbiddenError            code=forbidden          a write with a key that is not accepted

The HTTP layer (``app.api.errors``) maps the tree to status codes in one table; the CLI prints
``error: <message>`` and exits with status 2. Shared code never raises HTTP exceptions.
"""

from __future__ import annotations


class CanonymError(Exception):
    """Base of every error Canonym reports to a caller."""

    code = "canonym_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidNameError(CanonymError):
    """A name that cannot be matched."""

    code = "invalid_name"


class EmptyNameError(InvalidNameError):
    """A name that is empty once invisible characters, punctuation and titles are removed."""

    code = "empty_name"


class LimitExceededError(CanonymError):
    """A configured limit (names per request, characters per name) was exceeded."""

    code = "limit_exceeded"


class NameTooLongError(LimitExceededError):
    """A name longer than the configured maximum number of characters."""

    code = "name_too_long"


class BatchTooLargeError(LimitExceededError):
    """A batch with more items than the configured maximum."""

    code = "batch_too_large"


class BodyTooLargeError(LimitExceededError):
    """A request body with more bytes than the configured maximum."""

    code = "body_too_large"


class InputFormatError(CanonymError):
    """An input file or payload that cannot be parsed."""

    code = "invalid_input"


class InvalidValueError(InputFormatError):
    """A value that was read but that the registry cannot keep faithfully on every engine
    (longer than its column, NUL or NaN in attributes, nesting too deep)."""

    code = "invalid_value"


class InvalidRequestError(InputFormatError):
    """A request value of the documented type whose content the route cannot use (a
    reconciliation ``queries`` string that is not a query batch, an unknown type): a rule the
    OpenAPI schema cannot express, refused like a value that does not match the schema."""

    code = "invalid_request"


class UnsupportedMediaTypeError(InputFormatError):
    """A request body sent with a content type the route does not read (not JSON)."""

    code = "unsupported_media_type"


class EntityNotFoundError(CanonymError):
    """No entity, alias or judgement with the given identifier in the registry."""

    code = "entity_not_found"


class ConflictError(CanonymError):
    """A write that clashes with stored data (an id or alias that exists already)."""

    code = "conflict"


class UnauthorizedError(CanonymError):
    """A mutating request without an API key while keys are configured."""

    code = "unauthorized"


class ForbiddenError(CanonymError):
    """A mutating request whose API key is not one of the configured keys."""

    code = "forbidden"
