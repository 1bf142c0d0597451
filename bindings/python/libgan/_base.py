"""Handles (closing, keep-alive, one-thread-at-a-time guard) and the numpy
array checks shared by every class."""
import ctypes
import threading
import weakref

import numpy as np

from ._errors import BusyError, ClosedError, ShapeError

F32P = ctypes.POINTER(ctypes.c_float)
F64P = ctypes.POINTER(ctypes.c_double)
I32P = ctypes.POINTER(ctypes.c_int32)
I64P = ctypes.POINTER(ctypes.c_int64)


class _Use:
    __slots__ = ("h", "exclusive", "borrowed")

    def __init__(self, h, exclusive, borrowed):
        self.h, self.exclusive, self.borrowed = h, exclusive, borrowed

    def __enter__(self):
        self.h._acquire(self.exclusive, self.borrowed)
        return self.h._ptr

    def __exit__(self, *exc):
        self.h._release(self.exclusive)


class Handle:
    """Base of the classes owning a C handle.

    - ``close()`` (or leaving a ``with`` block) frees it; a closed handle
      raises ClosedError. A handle other handles depend on (a Net bound to
      an Optimizer or Session, a Dataset read by a Session or a numpy view)
      is freed only when the last of them is gone, so closing or deleting
      objects in any order never crashes: a Session or Optimizer goes on
      working with parts whose Python objects were closed.
    - One thread at a time: a second thread using a handle while a call is
      running on it gets BusyError instead of a crash. Read-only calls
      (forward, getters) may share a handle between threads. The thread
      running a call may use the handle again (from a progress callback).
    """

    _free_fn = None  # the lowlevel free function

    def __init__(self, ptr):
        self._ptr = ptr
        self._closed = False
        self._holders = 0
        self._lock = threading.Lock()
        self._owner = None     # thread ident of the exclusive user
        self._depth = 0        # its nesting
        self._readers = 0

    # -- guard --
    def _acquire(self, exclusive, borrowed=False):
        """borrowed: used through a handle that holds this one (its C
        object lives even if the Python side was closed)."""
        me = threading.get_ident()
        with self._lock:
            if self._closed and not (borrowed and self._ptr is not None):
                raise ClosedError("%s is closed" % type(self).__name__)
            if self._owner is not None and self._owner != me:
                raise BusyError("%s is in use by another thread" % type(self).__name__)
            if self._owner == me:
                self._depth += 1
                return
            if exclusive:
                if self._readers:
                    raise BusyError("%s is being read by another thread" % type(self).__name__)
                self._owner, self._depth = me, 1
            else:
                self._readers += 1

    def _release(self, exclusive):
        with self._lock:
            if self._owner is not None and self._owner == threading.get_ident():
                self._depth -= 1
                if self._depth == 0:
                    self._owner = None
            else:
                self._readers -= 1

    def _use(self, exclusive=True, borrowed=False):
        return _Use(self, exclusive, borrowed)

    # -- lifetime --
    def _hold(self):
        with self._lock:
            if self._closed:
                raise ClosedError("%s is closed" % type(self).__name__)
            self._holders += 1

    def _unhold(self):
        with self._lock:
            self._holders -= 1
            free = self._closed and self._holders == 0 and self._ptr is not None
        if free:
            self._free()

    def _free(self):
        ptr, self._ptr = self._ptr, None
        if ptr is not None:
            type(self)._free_fn(ptr)
            self._on_free()

    def _on_free(self):
        """Release what this handle holds (after its C object is freed)."""

    def close(self):
        """Free the C object (deferred while others depend on it). Calling
        it again does nothing. BusyError while a call is running on it."""
        with self._lock:
            if self._closed:
                return
            if self._owner is not None or self._readers:
                raise BusyError("%s cannot be closed while a call is using it" % type(self).__name__)
            self._closed = True
            free = self._holders == 0
        if free:
            self._free()

    @property
    def closed(self):
        return self._closed

    def __enter__(self):
        if self._closed:
            raise ClosedError("%s is closed" % type(self).__name__)
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            if not self._closed:
                self._closed = True
                if self._holders == 0:
                    self._free()
        except Exception:  # interpreter shutdown
            pass

    def _closed_repr(self):
        return "<libgan.%s closed>" % type(self).__name__


# ---- arrays -----------------------------------------------------------------

def as_f32(x, name, ndim=2, cols=None):
    """x as a C-contiguous float32 array: a float32 C-contiguous array is
    passed as it is (no copy); another floating dtype (float64, float16) or
    a strided array is converted once into a new array; integer, bool,
    complex and object arrays are refused (TypeError)."""
    a = np.asarray(x)
    if a.dtype != np.float32:
        if a.dtype.kind != "f":
            raise TypeError("%s must be a floating-point array (float32, or float64 converted "
                            "once), got dtype %s" % (name, a.dtype))
        a = a.astype(np.float32, order="C")
    elif not a.flags.c_contiguous:
        a = np.ascontiguousarray(a)
    if ndim is not None and a.ndim != ndim:
        raise ShapeError("%s must be %d-D, got shape %s" % (name, ndim, a.shape))
    if cols is not None and a.shape[-1] != cols:
        raise ShapeError("%s has %d columns, expected %d" % (name, a.shape[-1], cols))
    return a


def as_f64(x, name):
    a = np.asarray(x)
    if a.dtype.kind not in "fiu":
        raise TypeError("%s must be numeric, got dtype %s" % (name, a.dtype))
    return np.ascontiguousarray(a, dtype=np.float64).reshape(-1)


def out_array(out, shape, dtype, name="out"):
    """A new array, or the caller's out checked: exact dtype, shape, C order,
    writeable (never converted: the results must land in it)."""
    if out is None:
        return np.empty(shape, dtype=dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError("%s must be a numpy array" % name)
    if out.dtype != dtype:
        raise TypeError("%s must have dtype %s, got %s" % (name, np.dtype(dtype), out.dtype))
    if tuple(out.shape) != tuple(shape):
        raise ShapeError("%s must have shape %s, got %s" % (name, tuple(shape), out.shape))
    if not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError("%s must be C-contiguous and writeable" % name)
    return out


def ptr(a, ctype=F32P):
    return a.ctypes.data_as(ctype)


def view(owner, address, count, ctype, dtype, shape):
    """A read-only numpy view of count elements at address, keeping owner
    (a Handle) alive and unfreed while the view lives."""
    if count == 0:
        return np.empty(shape, dtype=dtype)
    buf = (ctype * count).from_address(address)
    buf._libgan_owner = owner  # keeps the Python object alive
    owner._hold()              # keeps the C object alive through close()
    weakref.finalize(buf, owner._unhold)
    a = np.frombuffer(buf, dtype=dtype).reshape(shape)
    a.flags.writeable = False
    return a


def enum_value(value, enum, what):
    """An IntEnum member from a member, an int or a case-insensitive name."""
    if isinstance(value, str):
        try:
            return enum[value.upper()]
        except KeyError:
            raise ValueError("%s %r unknown; one of %s" % (what, value,
                             ", ".join(m.name.lower() for m in enum))) from None
    return enum(value)
