"""Rng: the seeded xoshiro256** generator."""
import ctypes

import numpy as np

from . import lowlevel as ll
from ._base import Handle, out_array, ptr
from ._errors import check


class Rng(Handle):
    """A seeded random-number generator (the same seed gives the same
    stream everywhere)."""

    _free_fn = ll.gan_rng_free

    def __init__(self, seed=0):
        p = ll.rngp()
        check(ll.gan_rng_create(ctypes.byref(p), int(seed)))
        super().__init__(p)
        self._seed = int(seed)

    def seed(self, seed):
        """Restart the stream from seed."""
        with self._use() as p:
            check(ll.gan_rng_seed(p, int(seed)))
        self._seed = int(seed)

    def uniform(self, shape, lo=0.0, hi=1.0, out=None):
        """float32 array of shape, U(lo, hi)."""
        a = out_array(out, np.atleast_1d(shape) if np.isscalar(shape) else shape, np.float32)
        with self._use() as p:
            check(ll.gan_rng_uniform(ptr(a), a.size, p, lo, hi))
        return a

    def normal(self, shape, mean=0.0, std=1.0, out=None):
        """float32 array of shape, N(mean, std^2)."""
        a = out_array(out, np.atleast_1d(shape) if np.isscalar(shape) else shape, np.float32)
        with self._use() as p:
            check(ll.gan_rng_normal(ptr(a), a.size, p, mean, std))
        return a

    def integer(self, lo, hi):
        """One integer uniform in [lo, hi], both included."""
        v = ctypes.c_int64()
        with self._use() as p:
            check(ll.gan_rng_int(ctypes.byref(v), p, int(lo), int(hi)))
        return v.value

    def u64(self):
        """One raw 64-bit output."""
        v = ctypes.c_uint64()
        with self._use() as p:
            check(ll.gan_rng_u64(ctypes.byref(v), p))
        return v.value

    @property
    def state(self):
        """The full state as a tuple of 4 ints (settable)."""
        s = (ctypes.c_uint64 * ll.GAN_RNG_STATE_WORDS)()
        with self._use(False) as p:
            check(ll.gan_rng_get_state(s, p))
        return tuple(s)

    @state.setter
    def state(self, words):
        words = tuple(int(w) for w in words)
        if len(words) != ll.GAN_RNG_STATE_WORDS:
            raise ValueError("state must have %d words, got %d" % (ll.GAN_RNG_STATE_WORDS, len(words)))
        s = (ctypes.c_uint64 * ll.GAN_RNG_STATE_WORDS)(*words)
        with self._use() as p:
            check(ll.gan_rng_set_state(p, s))

    def __repr__(self):
        if self._closed:
            return self._closed_repr()
        return "<libgan.Rng seeded %d>" % self._seed
