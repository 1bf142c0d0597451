"""Generator: a trained G with its noise prior, loaded from or saved to a
generator file (gan_generator_*), sampled with nothing else."""
import ctypes
import os

import numpy as np

from . import lowlevel as ll
from ._base import Handle, as_f32, enum_value, out_array, ptr
from ._enums import NoiseKind
from ._errors import check
from .optimizer import _as_dict, _options

_SCALINGS = {"identity": ll.GAN_OUTPUT_IDENTITY, "symmetric_to_unit": ll.GAN_OUTPUT_SYMMETRIC_TO_UNIT}


def _generator_options(noise_kind, noise_scale, noise_width, output_scaling):
    if output_scaling not in _SCALINGS:
        raise ValueError("output_scaling must be one of %s, got %r" % (", ".join(_SCALINGS),
                                                                     output_scaling))
    o = _options(ll.gan_generator_options, ll.gan_generator_options_init,
                 ll.GAN_GENERATOR_OPTIONS_VERSION, {}, "Generator")
    o.noise_kind = int(enum_value(noise_kind, NoiseKind, "noise_kind"))
    o.noise_scale = float(noise_scale)
    o.noise_width = int(noise_width)
    o.output_scaling = _SCALINGS[output_scaling]
    return o


class Generator(Handle):
    """Generator(net, noise_kind="uniform", noise_scale=1.0, noise_width=0,
    output_scaling="identity"): a copy of net (later changes to net do not
    reach it) with the prior z ~ U(-s, s) or N(0, s^2) and an output
    scaling ("identity" or "symmetric_to_unit": [-1,1] -> [0,1]).
    Generator.load(path) reads a generator file or a plain net file (which
    gets uniform noise in [-1,1]). Sampling only reads the generator: several
    threads may sample one generator, each with its own Rng."""

    _free_fn = ll.gan_generator_free

    def __init__(self, net=None, noise_kind="uniform", noise_scale=1.0, noise_width=0,
                 output_scaling="identity", _ptr=None):
        if _ptr is None:
            if net is None:
                raise TypeError("Generator needs a net (or use Generator.load)")
            o = _generator_options(noise_kind, noise_scale, noise_width, output_scaling)
            _ptr = ll.genp()
            with net._use(False) as n:
                check(ll.gan_generator_create(ctypes.byref(_ptr), n, ctypes.byref(o)))
        super().__init__(_ptr)

    @classmethod
    def load(cls, path):
        p = ll.genp()
        check(ll.gan_generator_load(ctypes.byref(p), os.fsencode(path)))
        return cls(_ptr=p)

    def save(self, path):
        """Write the generator file atomically."""
        with self._use(False) as g:
            check(ll.gan_generator_save(g, os.fsencode(path)))

    @property
    def options(self):
        """The prior and output scaling, as a dict of gan_generator_options."""
        o = ll.gan_generator_options()
        with self._use(False) as g:
            check(ll.gan_generator_get_options(ctypes.byref(o), g))
        return _as_dict(o)

    @property
    def noise_width(self):
        with self._use(False) as g:
            return ll.gan_generator_noise_width(g)

    @property
    def output_width(self):
        with self._use(False) as g:
            return ll.gan_generator_output_width(g)

    def noise(self, rows, rng, out=None):
        """rows noise vectors from the prior, drawn from rng."""
        with self._use(False) as g, rng._use() as r:
            a = out_array(out, (rows, ll.gan_generator_noise_width(g)), np.float32)
            check(ll.gan_generator_noise(ptr(a), rows, a.shape[1], g, r))
        return a

    def forward(self, z, out=None):
        """The output scaling of G(z), z being rows x noise_width."""
        a = as_f32(z, "z")
        with self._use(False) as g:
            o = out_array(out, (a.shape[0], ll.gan_generator_output_width(g)), np.float32)
            check(ll.gan_generator_forward(ptr(o), o.shape[0], o.shape[1], g, ptr(a), a.shape[1]))
        return o

    def sample(self, rows, rng, out=None):
        """rows samples: noise from rng through G and the output scaling."""
        with self._use(False) as g, rng._use() as r:
            a = out_array(out, (rows, ll.gan_generator_output_width(g)), np.float32)
            check(ll.gan_generator_sample(ptr(a), rows, a.shape[1], g, r))
        return a

    def __repr__(self):
        if self.closed:
            return self._closed_repr()
        o = self.options
        return "<libgan.Generator %d -> %d, noise %s x %g, output %s>" % (
            self.noise_width, self.output_width, NoiseKind(o["noise_kind"]).name.lower(),
            o["noise_scale"], [k for k, v in _SCALINGS.items() if v == o["output_scaling"]][0])


def save_generator(net, path, noise_kind="uniform", noise_scale=1.0, noise_width=0,
                   output_scaling="identity"):
    """Save net with its prior as a generator file (gan_generator_save_net)."""
    o = _generator_options(noise_kind, noise_scale, noise_width, output_scaling)
    with net._use(False) as n:
        check(ll.gan_generator_save_net(n, ctypes.byref(o), os.fsencode(path)))
