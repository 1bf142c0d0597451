#!/usr/bin/env python3
"""Train on your own numpy array: here a 2-D spiral made with numpy (any
rows x cols float array works: float32 is used in place, float64 is
converted once). Prints the Parzen log-likelihood of held-out points under
G's samples, saves a checkpoint that training can resume from, and writes
a scatter plot (spiral.png).

    python3 examples/python/numpy_data.py [--iterations N] [--out spiral.png]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import libgan  # noqa: E402
from _plot import scatter_png  # noqa: E402


def spiral(n, rs):
    t = np.sqrt(rs.uniform(0, 1, n)) * 3 * np.pi
    x = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * np.pi) * 2.5
    return x + rs.normal(0, 0.03, x.shape)  # float64: converted once by Dataset


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=4000)
    ap.add_argument("--out", default="spiral.png")
    ap.add_argument("--checkpoint", default="spiral.ckpt")
    a = ap.parse_args()

    rs = np.random.default_rng(0)
    x = spiral(20000, rs)
    held_out = spiral(2000, rs)
    rng = libgan.Rng(3)
    data = libgan.Dataset(x)
    g = (libgan.Net(8).add_dense(128, "relu").add_dense(128, "relu").add_dense(2)
         .init(rng, "glorot_uniform"))
    d = (libgan.Net(2).add_dense(128, "leaky_relu").add_dense(128, "leaky_relu")
         .add_dense(1, "sigmoid").init(rng, "glorot_uniform"))
    opt = dict(kind="adam", learning_rate=5e-4, beta1=0.5)
    s = libgan.Session(g, d, libgan.Optimizer(g, **opt), libgan.Optimizer(d, **opt), data,
                       batch_size=128, noise_width=8, seed=3)
    for st in s.steps(a.iterations):  # or s.train(n, progress=...)
        if st.iteration % 1000 == 0:
            print("iteration %5d  D loss %.3f  G loss %.3f" % (st.iteration, st.d_loss, st.g_loss))
    s.save(a.checkpoint)
    samples = s.sample(10000)
    with libgan.Parzen(samples) as p:
        sigma, _ = p.select_sigma(held_out[:1000], np.logspace(-2, 0, 9))
        _, mean, se = p.log_likelihood(held_out[1000:], sigma)
    print("Parzen log-likelihood of held-out points: %.3f +- %.3f (sigma %.3f)" % (mean, se, sigma))
    scatter_png(a.out, [(x[:4000], 0.7, 1), (samples[:4000], 0.0, 1)])
    print("wrote", a.out, "and", a.checkpoint)


if __name__ == "__main__":
    main()
