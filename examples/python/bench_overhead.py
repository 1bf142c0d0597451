#!/usr/bin/env python3
"""The Python binding's overhead per training step of the paper's MNIST
model (batch 100, k = 1, G 100-1200-1200-784, maxout D; the model and
options of examples/bench_iteration.c), beside the C loop.

Measured in one run, alternating rounds so every way sees the same machine
load, best round of each reported:
  C loop        lowlevel.gan_session_train(s, n, NULL): no Python per step
  train()       Session.train(n): the worker thread that keeps Ctrl-C live
  train(cb)     Session.train(n, progress=cb): a Python callback per step
  steps()       for st in Session.steps(n): one Python-level call per step
and, when the examples are built, examples/bench_iteration (a separate C
process) run between the rounds.

    python3 examples/python/bench_overhead.py [--steps 10] [--rounds 5]
        [--bench-iteration build/examples/bench_iteration]
"""
import argparse
import os
import re
import subprocess
import sys
import time

import libgan
from libgan import lowlevel as ll

M, Z, PIX = 100, 100, 784


def build(data):
    rng = libgan.Rng(7)
    g = (libgan.Net(Z).add_dense(1200, "relu").add_dense(1200, "relu")
         .add_dense(PIX, "sigmoid").init(rng, "uniform", 0.05))
    d = (libgan.Net(PIX).add_dropout(0.8).add_maxout(240, 5).add_dropout(0.5)
         .add_maxout(240, 5).add_dropout(0.5).add_dense(1, "sigmoid").init(rng, "uniform", 0.005))
    oo = dict(lr_decay=1.000004, lr_min=1e-6, momentum_final=0.7, momentum_saturate_epoch=250)
    go, do = libgan.Optimizer(g, **oo), libgan.Optimizer(d, **oo)
    return libgan.Session(g, d, go, do, data, noise_scale=3 ** 0.5, d_loss_half=1, seed=3)


def timed(fn, n):
    t0 = time.perf_counter()
    fn(n)
    return (time.perf_counter() - t0) / n


def run_c_bench(path, steps):
    # bench_iteration times 5 rounds of steps/5 iterations and reports the best.
    out = subprocess.run([path, str(steps), "3"], capture_output=True, text=True,
                         check=True).stdout
    m = re.search(r"alternating\s*:\s*([0-9.]+) ms/iteration", out)
    return float(m.group(1)) * 1e-3


def tiny_session():
    """A model so small that a step costs microseconds: what the binding
    adds per step shows up plainly here."""
    rng = libgan.Rng(1)
    data = libgan.Dataset.toy(libgan.Toy("ring"), 1000, rng)
    g = libgan.Net(2).add_dense(4, "relu").add_dense(2).init(rng, "glorot_uniform")
    d = libgan.Net(2).add_dense(4, "relu").add_dense(1, "sigmoid").init(rng, "glorot_uniform")
    return libgan.Session(g, d, libgan.Optimizer(g), libgan.Optimizer(d), data, batch_size=4,
                          threads=1, seed=1)


def ways_of(s):
    def c_loop(n):
        with s._train_use() as p:
            rc = ll.gan_session_train(p, n, ll.gan_progress_fn(0), None)
        if rc:
            raise libgan.Error("gan_session_train failed: %d" % rc)

    def steps(n):
        for _ in s.steps(n):
            pass

    return [("C loop", c_loop), ("train()", lambda n: s.train(n)),
            ("train(cb)", lambda n: s.train(n, progress=lambda st: None)), ("steps()", steps)]


def measure(ways, steps, rounds, between=None):
    """Per way: the best time per step, and the median over rounds of its
    ratio to the C loop of the same round (robust to load drifting)."""
    best = {name: float("inf") for name, _ in ways}
    ratios = {name: [] for name, _ in ways}
    for r in range(rounds):
        order = ways[r % len(ways):] + ways[:r % len(ways)]  # rotate who goes first
        t = {}
        for name, fn in order:
            t[name] = timed(fn, steps)
            best[name] = min(best[name], t[name])
        for name in t:
            ratios[name].append(t[name] / t["C loop"])
        if between:
            between(r)
    med = {n: sorted(v)[len(v) // 2] for n, v in ratios.items()}
    return best, med


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=5, help="MNIST steps per timed round")
    ap.add_argument("--rounds", type=int, default=9)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--bench-iteration",
                    default=os.path.join(here, "..", "..", "build", "examples", "bench_iteration"))
    a = ap.parse_args()
    print("libgan %s (%s), BLAS %s, OPENBLAS_NUM_THREADS=%s" % (
        libgan.version_string(), libgan.library_path, libgan.blas_info(),
        os.environ.get("OPENBLAS_NUM_THREADS", "(unset)")))

    # 1. The fixed cost per step, on a tiny model.
    t = tiny_session()
    t.train(100)
    tb, _ = measure(ways_of(t), 2000, 5)
    t.close()
    print("\nfixed cost per step (tiny model, best of 5 x 2000 steps):")
    for name, v in tb.items():
        extra = "" if name == "C loop" else "   binding adds %6.1f us per step" % (
            (v - tb["C loop"]) * 1e6)
        print("  %-12s %8.1f us%s" % (name, v * 1e6, extra))

    # 2. The paper's MNIST model.
    x = libgan.Rng(1).uniform((50000, PIX))
    data = libgan.Dataset(x)
    del x
    s = build(data)
    s.train(3)  # warm-up
    c_bench = []

    def between(r):
        if os.access(a.bench_iteration, os.X_OK) and r % 4 == 0:
            c_bench.append(run_c_bench(a.bench_iteration, 5 * a.steps))  # rounds of a.steps
        print("  round %d/%d done" % (r + 1, a.rounds), file=sys.stderr)

    best, med = measure(ways_of(s), a.steps, a.rounds, between)
    print("\nMNIST model, ms per iteration (best of %d rounds of %d steps; overhead: median "
          "over rounds of the ratio to the C loop of the same round):" % (a.rounds, a.steps))
    if c_bench:
        print("  %-26s %8.2f   (separate C process, best of %d runs)" % (
            "examples/bench_iteration", min(c_bench) * 1e3, len(c_bench)))
    for name, v in best.items():
        extra = "" if name == "C loop" else "   overhead %+.2f%%" % ((med[name] - 1) * 100)
        print("  %-26s %8.2f%s" % ("Python " + name, v * 1e3, extra))
    fixed = max(tb[n] - tb["C loop"] for n in tb)
    step = min(best.values())
    print("\nlargest fixed cost per step %.1f us = %.3f%% of the fastest MNIST step seen, %.1f ms" % (
        fixed * 1e6, fixed / step * 100, step * 1e3))
    s.close()


if __name__ == "__main__":
    main()
