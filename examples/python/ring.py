#!/usr/bin/env python3
"""The 8-Gaussian ring: train a small GAN with a progress bar, report the
modes it covers and write a scatter plot of data and samples (ring.png).

    python3 examples/python/ring.py [--iterations N] [--seed S] [--out ring.png]

The setup of examples/ring2d.c: G and D with two leaky-ReLU layers of 64,
Adam (lr 1e-3, beta1 0.5), batch 128, noise U(-1, 1)^16.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import libgan  # noqa: E402
from _plot import scatter_png  # noqa: E402


def mlp(n_in, n_out, out_act, rng):
    return (libgan.Net(n_in).add_dense(64, "leaky_relu").add_dense(64, "leaky_relu")
            .add_dense(n_out, out_act).init(rng, "glorot_uniform"))


class ProgressBar:
    def __init__(self, total, every=50):
        self.total, self.every, self.t0 = total, every, time.monotonic()

    def __call__(self, st):
        if st.iteration % self.every and st.iteration != self.total:
            return
        done = st.iteration / self.total
        bar = "#" * int(30 * done)
        rate = st.iteration / max(time.monotonic() - self.t0, 1e-9)
        sys.stderr.write("\r[%-30s] %6d/%d  D(x) %.2f  D(G(z)) %.2f  %5.0f it/s" % (
            bar, st.iteration, self.total, st.d_real, st.d_fake, rate))
        if st.iteration == self.total:
            sys.stderr.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="ring.png")
    a = ap.parse_args()

    rng = libgan.Rng(a.seed)
    toy = libgan.Toy("ring", modes=8, radius=2.0, std=0.02)
    with libgan.Dataset.toy(toy, 100000, rng) as data, \
            mlp(16, 2, "identity", rng) as g, mlp(2, 1, "sigmoid", rng) as d:
        opt = dict(kind="adam", learning_rate=1e-3, beta1=0.5, lr_decay=1.0002, lr_min=1e-5)
        g_opt, d_opt = libgan.Optimizer(g, **opt), libgan.Optimizer(d, **opt)
        with libgan.Session(g, d, g_opt, d_opt, data, batch_size=128, seed=a.seed) as s:
            print(s)
            s.train(a.iterations, progress=ProgressBar(a.iterations))
            z = libgan.Rng(a.seed + 1).uniform((10000, 16), -1, 1)
            samples = s.sample(z=z)
        covered, total, hq = toy.coverage(samples, 100)
        print("%d / %d modes covered, high-quality share %.3f" % (covered, total, hq))
        scatter_png(a.out, [(data.data[:3000], 0.7, 1), (samples[:3000], 0.0, 1),
                            (toy.centers(), 0.4, 3)])
        print("wrote", a.out, "(grey: data, black: samples)")


if __name__ == "__main__":
    main()
