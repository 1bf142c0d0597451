"""libgan: Generative Adversarial Nets (Goodfellow et al., 2014) on numpy
arrays, through the libgan C library.

High level: Rng, Net, Optimizer, Dataset, Toy, Session, Parzen and the
evaluation functions. Low level: ``libgan.lowlevel`` mirrors every
function, struct and constant of gan.h through ctypes.

The shared library is found through LIBGAN_LIBRARY, beside the installed
package, in the source tree's build/ folder, or by the system loader; one
of another ABI version is refused (see libgan._loader).
"""
import threading

from . import lowlevel
from ._enums import (Activation, GLoss, Init, LayerKind, LogLevel, NoiseKind, OptimizerKind,
                     ToyKind, UpdateOrder)
from ._errors import (AbortedError, BusyError, ClosedError, DivergedError, Error, FileError,
                      FormatError, InvalidArgumentError, OutOfMemoryError, ShapeError,
                      StateError, UnsupportedError)
from .dataset import Dataset, Toy
from .evaluation import (Parzen, StepStats, interpolate, loss_d, loss_g,
                         loss_softmax_cross_entropy, nearest_neighbors, paper_grid,
                         png_write_grid, png_write_grid_chw, png_write_grid_rgb, softmax,
                         update_d, update_g)
from .generator import Generator, save_generator
from .net import LayerInfo, LayerShape, Net
from .optimizer import Optimizer
from .rng import Rng
from .session import Session, Stats

__version__ = lowlevel.GAN_VERSION_STRING
library_path = lowlevel.library_path


def version():
    """(major, minor, patch) of the loaded library."""
    import ctypes
    v = [ctypes.c_int() for _ in range(3)]
    lowlevel.gan_version(*[ctypes.byref(x) for x in v])
    return tuple(x.value for x in v)


def version_string():
    return lowlevel.gan_version_string().decode()


def abi_version():
    return lowlevel.gan_abi_version()


def blas_info():
    return lowlevel.gan_blas_info().decode()


def strerror(code):
    return lowlevel.gan_strerror(int(code)).decode()


_log_callbacks = threading.local()


def set_log_handler(handler, max_level=LogLevel.INFO):
    """handler(level: LogLevel, message: str) receives the messages of
    libgan calls made on the calling thread (libgan's log callback is per
    thread); None removes it."""
    if handler is None:
        fn = lowlevel.gan_log_fn()
    else:
        def call(level, message, userdata):
            try:
                handler(LogLevel(level), message.decode("utf-8", "replace"))
            except Exception:  # a log handler must not break the library call
                pass
        fn = lowlevel.gan_log_fn(call)
    _errors_check(lowlevel.gan_log_set_callback(fn, None, int(max_level)))
    _log_callbacks.fn = fn  # the C side keeps the pointer: keep it alive


def _errors_check(rc):
    from ._errors import check
    check(rc)


__all__ = [
    "Rng", "Net", "LayerInfo", "LayerShape", "Optimizer", "Dataset", "Toy", "Session", "Stats",
    "Parzen", "StepStats", "nearest_neighbors", "png_write_grid", "png_write_grid_rgb",
    "png_write_grid_chw", "Generator",
    "save_generator", "interpolate", "paper_grid", "loss_d", "loss_g",
    "loss_softmax_cross_entropy", "softmax", "update_d", "update_g", "version",
    "version_string", "abi_version", "blas_info",
    "strerror", "set_log_handler", "Activation", "LayerKind", "Init", "OptimizerKind",
    "ToyKind", "GLoss", "NoiseKind", "UpdateOrder", "LogLevel", "Error", "InvalidArgumentError",
    "OutOfMemoryError", "FileError", "FormatError", "ShapeError", "DivergedError", "StateError",
    "UnsupportedError", "AbortedError", "ClosedError", "BusyError", "lowlevel", "library_path",
]
