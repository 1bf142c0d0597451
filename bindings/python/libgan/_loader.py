"""Finding and opening libgan.so, and refusing one this binding does not match.

Search order (the first that exists is used):

1. ``LIBGAN_LIBRARY``: the path of a libgan shared library (an error if it
   is set but cannot be loaded);
2. the library installed beside this package by ``cmake --install``
   (``_install_paths.py``, written at install time, names its folder);
3. a build tree: ``<repository>/build/libgan.so.N`` when the package is used
   from ``bindings/python`` of a source checkout built as the README says;
4. ``libgan.so.N`` through the system's dynamic loader (``LD_LIBRARY_PATH``,
   ``/etc/ld.so.conf``).
"""
import ctypes
import os

ABI_VERSION = 0          # GAN_ABI_VERSION of the gan.h this binding mirrors
BINDING_VERSION = (0, 1, 0)  # GAN_VERSION_MAJOR/MINOR/PATCH of that gan.h

_HERE = os.path.dirname(os.path.abspath(__file__))
SONAME = "libgan.so.%d" % ABI_VERSION


def _candidates():
    env = os.environ.get("LIBGAN_LIBRARY")
    if env:
        return [("LIBGAN_LIBRARY", env)], True
    found = []
    try:
        from . import _install_paths  # written by cmake --install
        found.append(("install prefix",
                      os.path.normpath(os.path.join(_HERE, _install_paths.LIBDIR_FROM_PACKAGE, SONAME))))
    except ImportError:
        pass
    repo = os.path.dirname(os.path.dirname(os.path.dirname(_HERE)))
    found.append(("build tree", os.path.join(repo, "build", SONAME)))
    return found, False


def load():
    """Open libgan and check its ABI and version; raises ImportError saying
    what to do when no usable library is found."""
    cands, from_env = _candidates()
    tried = []
    for where, path in cands:
        if not from_env and not os.path.exists(path):
            tried.append("%s: %s (absent)" % (where, path))
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            if from_env:
                raise ImportError("libgan: LIBGAN_LIBRARY=%s cannot be loaded: %s" % (path, e)) from None
            tried.append("%s: %s (%s)" % (where, path, e))
            continue
        return check(lib, path)
    try:
        lib = ctypes.CDLL(SONAME)
        return check(lib, SONAME + " (system loader)")
    except OSError as e:
        tried.append("system loader: %s (%s)" % (SONAME, e))
    raise ImportError(
        "libgan: cannot find the libgan shared library (%s). Tried:\n  %s\n"
        "Build it (cmake -S . -B build && cmake --build build) and either install "
        "both with 'cmake --install build --prefix ~/.local', or point "
        "LIBGAN_LIBRARY at build/%s." % (SONAME, "\n  ".join(tried), SONAME))


def check(lib, path):
    """Refuse a library of another ABI or an older version than the header
    this binding mirrors."""
    try:
        abi_fn = lib.gan_abi_version
    except AttributeError:
        raise ImportError("libgan: %s has no gan_abi_version(): it predates this binding "
                          "(which needs ABI %d, version >= %d.%d); rebuild libgan from the "
                          "same source as the binding" % ((path, ABI_VERSION) + BINDING_VERSION[:2])) from None
    abi_fn.restype = ctypes.c_int
    abi_fn.argtypes = []
    abi = abi_fn()
    if abi != ABI_VERSION:
        raise ImportError("libgan: %s has ABI version %d but this binding was written for ABI %d; "
                          "use the binding shipped with that library, or point LIBGAN_LIBRARY at a "
                          "%s" % (path, abi, ABI_VERSION, SONAME))
    ver = lib.gan_version_string
    ver.restype = ctypes.c_char_p
    ver.argtypes = []
    got = tuple(int(p) for p in ver().decode().split("."))
    if got[:2] < BINDING_VERSION[:2]:
        raise ImportError("libgan: %s is version %s, older than the %d.%d this binding needs"
                          % ((path, ".".join(map(str, got))) + BINDING_VERSION[:2]))
    return lib, path
