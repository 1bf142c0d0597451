#!/usr/bin/env python3
"""Turn a saved MNIST generator (generator.gan, written by examples/mnist
with its noise prior; a plain net file gets uniform noise in [-1, 1])
into a PNG grid of samples, with the nearest training image of each row's
last sample in an extra framed column when the training images are given.

    python3 examples/python/mnist_grid.py mnist_out/generator.gan grid.png \
        [--train /path/train-images-idx3-ubyte] [--rows 10] [--cols 10] [--seed 1]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import libgan  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("generator")
    ap.add_argument("png")
    ap.add_argument("--train", help="MNIST training images (IDX) for the neighbour column")
    ap.add_argument("--rows", type=int, default=10)
    ap.add_argument("--cols", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    with libgan.Generator.load(a.generator) as g, libgan.Rng(a.seed) as rng:
        side = int(round(g.output_width ** 0.5))
        if side * side != g.output_width:
            sys.exit("%s: output width %d is not a square image" % (a.generator, g.output_width))
        print(g)
        images = g.sample(a.rows * a.cols, rng)
    last = None
    if a.train:
        with libgan.Dataset.load_idx(a.train) as train:
            queries = images.reshape(a.rows, a.cols, -1)[:, -1]
            idx, _ = libgan.nearest_neighbors(queries, train.data)
            last = train.data[idx]
    libgan.png_write_grid(a.png, images, a.rows, a.cols, side, side, last_column=last)
    print("wrote", a.png)


if __name__ == "__main__":
    main()
