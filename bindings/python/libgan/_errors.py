"""Exceptions: one class per GAN_E* code, each carrying the code, its name
and gan_error_last()'s message."""
from . import lowlevel as ll


class Error(Exception):
    """A libgan call failed. ``code`` (negative int), ``code_name``
    (e.g. ``"GAN_ESHAPE"``) and ``message`` (gan_error_last())."""

    code = None
    code_name = None

    def __init__(self, message, code=None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message

    def __str__(self):
        if self.code_name:
            return "%s: %s" % (self.code_name, self.message)
        return self.message


class InvalidArgumentError(Error, ValueError):
    code, code_name = ll.GAN_EINVAL, "GAN_EINVAL"


class OutOfMemoryError(Error, MemoryError):
    code, code_name = ll.GAN_ENOMEM, "GAN_ENOMEM"


class FileError(Error, OSError):
    code, code_name = ll.GAN_EIO, "GAN_EIO"


class FormatError(Error, ValueError):
    code, code_name = ll.GAN_EFORMAT, "GAN_EFORMAT"


class ShapeError(Error, ValueError):
    code, code_name = ll.GAN_ESHAPE, "GAN_ESHAPE"


class DivergedError(Error, ArithmeticError):
    code, code_name = ll.GAN_EDIVERGED, "GAN_EDIVERGED"


class StateError(Error, RuntimeError):
    code, code_name = ll.GAN_ESTATE, "GAN_ESTATE"


class UnsupportedError(Error, ValueError):
    code, code_name = ll.GAN_EUNSUPPORTED, "GAN_EUNSUPPORTED"


class AbortedError(Error, RuntimeError):
    """Training stopped by Session.interrupt() from elsewhere."""
    code, code_name = ll.GAN_EABORTED, "GAN_EABORTED"


class ClosedError(ValueError):
    """The handle was closed."""


class BusyError(RuntimeError):
    """Another thread is using the handle (a handle serves one thread at a
    time; gan.h's thread rules)."""


_BY_CODE = {c.code: c for c in (InvalidArgumentError, OutOfMemoryError, FileError, FormatError,
                                ShapeError, DivergedError, StateError, UnsupportedError,
                                AbortedError)}


def error_for(rc, message=None):
    """The exception for status rc, with the thread's last message."""
    if message is None:
        message = ll.gan_error_last().decode("utf-8", "replace")
    cls = _BY_CODE.get(rc)
    if cls is None:
        e = Error(message, rc)
        e.code_name = "status %d" % rc
        return e
    return cls(message)


def check(rc):
    """Raise the exception of a non-zero status returned on this thread."""
    if rc != 0:
        raise error_for(rc)
