"""Shared fixtures: a tiny GAN on the 8-Gaussian ring (trains in
milliseconds)."""
import os

import numpy as np
import pytest

import libgan

HEADER = os.environ.get("LIBGAN_HEADER") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "include", "gan.h")


class Rig:
    def __init__(self, seed=1, rows=400, batch=40, **session_options):
        self.rng = libgan.Rng(seed)
        self.toy = libgan.Toy("ring", modes=8, radius=2.0, std=0.02)
        self.data = libgan.Dataset.toy(self.toy, rows, self.rng)
        self.g = libgan.Net(4).add_dense(16, "relu").add_dense(2).init(self.rng, "glorot_uniform")
        self.d = (libgan.Net(2).add_dropout(0.8).add_maxout(8, 3).add_dense(1, "sigmoid")
                  .init(self.rng, "uniform", 0.1))
        self.g_opt = libgan.Optimizer(self.g, learning_rate=0.05)
        self.d_opt = libgan.Optimizer(self.d, learning_rate=0.05)
        session_options.setdefault("seed", 7)
        session_options.setdefault("threads", 1)
        self.s = libgan.Session(self.g, self.d, self.g_opt, self.d_opt, self.data,
                                batch_size=batch, **session_options)


@pytest.fixture
def rig():
    return Rig()


@pytest.fixture
def header_path():
    if not os.path.exists(HEADER):
        pytest.skip("gan.h not found (set LIBGAN_HEADER)")
    return HEADER


def f32(a):
    return np.asarray(a, dtype=np.float32)
