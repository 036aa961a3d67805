"""Errors that reach the user: each one names the problem and the fix."""


class DistillscopeError(Exception):
    """Base class for errors shown to the user as one clear message (no traceback in the CLI)."""


class SpecError(DistillscopeError, ValueError):
    """A model spec could not be parsed or resolved."""


class MissingModelError(DistillscopeError):
    """A named model is not installed; the message says which package to install."""


class EndpointError(DistillscopeError):
    """A remote endpoint failed after bounded retries; the message names the URL."""


class InputError(DistillscopeError, ValueError):
    """A user-supplied file or value is malformed; the message names the place (file, line)."""
