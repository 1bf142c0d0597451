#!/usr/bin/python3
"""Peer timing: a small DCGAN (Radford et al. 2016) at MNIST size in PyTorch
on the CPU, the measuring stick for libgan's convolutional layers.

    /usr/bin/python3 examples/torch_dcgan.py [THREADS] [ITERATIONS] [WARMUP]

THREADS defaults to $OPENBLAS_NUM_THREADS (else 1), ITERATIONS to 50,
WARMUP to 10. One iteration is one D step then one G step (Algorithm 1 with
k = 1, non-saturating G loss), each timed on its own; prints one JSON line
(the interface examples/bench_vs_peer.sh reads) with the median
"ms_per_iteration", the mean and the fastest, the median process CPU time
per iteration ("cpu_ms_per_iteration": all threads' CPU time; with one
thread the figure least disturbed by other jobs on the machine), the torch
version, whether
oneDNN (mkldnn) is available and enabled, the BLAS and the CPU capability
torch was built to use. Data are random numbers of MNIST's shape in [0, 1]:
timing does not depend on pixel values. Needs python3-torch
(bash cmake/deps.sh --peer).

The model, exactly, so libgan can build the same one (tensors are
batch x channels x height x width; rows of 784 are 1 x 28 x 28, channel-major):

  batch 64, z: 100 values U(-1, 1)

  G:  dense 100 -> 6272 (= 128 x 7 x 7), bias
      batch norm over the 6272 features' channels (128 channels, per channel
        over batch x 7 x 7; eps 1e-5, learned scale and shift), ReLU
      reshape to 128 x 7 x 7
      transposed conv 128 -> 64, kernel 4 x 4, stride 2, padding 1, bias: 14 x 14
      batch norm (64 channels), ReLU
      transposed conv 64 -> 1, kernel 4 x 4, stride 2, padding 1, bias: 28 x 28
      sigmoid (libgan's data are in [0, 1])
  D:  conv 1 -> 64, kernel 4 x 4, stride 2, padding 1, bias: 14 x 14
      leaky ReLU, slope 0.2 (GAN_ACT_LEAKY_RELU's default slope)
      conv 64 -> 128, kernel 4 x 4, stride 2, padding 1, bias: 7 x 7
      batch norm (128 channels), leaky ReLU 0.2
      flatten (128 x 7 x 7 = 6272), dense 6272 -> 1, bias: the logit

  Parameters: G 100*6272+6272 + 2*128 + 128*64*16+64 + 2*64 + 64*16+1;
              D 64*16+64 + 64*128*16+128 + 2*128 + 6272+1.
  Losses: D: mean BCE(D(x), 1) + mean BCE(D(G(z)), 0) (the two halves of the
  batch in separate forward passes; batch norm in training mode sees real
  and fake batches apart); G: mean BCE(D(G(z)), 1) with a fresh z.
  Both: Adam, learning rate 2e-4, beta1 0.5, beta2 0.999, eps 1e-8.
  Init: DCGAN's, weights N(0, 0.02^2), batch-norm scales N(1, 0.02^2),
  biases and shifts 0 (timing does not depend on it).

The batch norms use batch statistics (training mode) in every step.
"""
import json
import os
import re
import statistics
import sys
import time

import torch
import torch.nn as nn

args = sys.argv[1:]
if len(args) > 3 or any(not a.isdigit() for a in args):
    sys.exit(__doc__)
threads = int(args[0]) if len(args) > 0 else int(os.environ.get("OPENBLAS_NUM_THREADS", "1"))
iters = int(args[1]) if len(args) > 1 else 50
warmup = int(args[2]) if len(args) > 2 else 10
if threads < 1 or iters < 1:
    sys.exit("THREADS and ITERATIONS must be at least 1")
torch.set_num_threads(threads)
torch.manual_seed(0)

M, NZ = 64, 100


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


G = nn.Sequential(
    nn.Linear(NZ, 128 * 7 * 7), Reshape(128, 7, 7), nn.BatchNorm2d(128), nn.ReLU(),
    nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
    nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1), nn.Sigmoid())
D = nn.Sequential(
    nn.Conv2d(1, 64, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
    nn.Conv2d(64, 128, 4, stride=2, padding=1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
    nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
with torch.no_grad():
    for net in (G, D):
        for mod in net.modules():
            if isinstance(mod, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                mod.weight.normal_(0.0, 0.02)
                mod.bias.zero_()
            elif isinstance(mod, nn.BatchNorm2d):
                mod.weight.normal_(1.0, 0.02)
                mod.bias.zero_()

opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
bce = nn.BCEWithLogitsLoss()
X = torch.rand(50000, 1, 28, 28)
ones, zeros = torch.ones(M, 1), torch.zeros(M, 1)


def noise():
    return torch.rand(M, NZ) * 2 - 1


def iteration(i):
    start = (i * M) % (50000 - M)
    x = X[start:start + M]
    opt_d.zero_grad()
    loss_d = bce(D(x), ones) + bce(D(G(noise()).detach()), zeros)
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad()
    loss_g = bce(D(G(noise())), ones)  # non-saturating: -log D(G(z))
    loss_g.backward()
    opt_g.step()


for i in range(warmup):
    iteration(i)
times, cpu_times = [], []
for i in range(iters):
    t, c = time.perf_counter(), time.process_time()
    iteration(warmup + i)
    times.append((time.perf_counter() - t) * 1e3)
    cpu_times.append((time.process_time() - c) * 1e3)

config = torch.__config__.show()
blas = re.search(r"BLAS_INFO=(\w+)", config)
cpu = re.search(r"CPU capability usage: (\w+)", config)
print(json.dumps({
    "peer": "pytorch " + torch.__version__, "model": "dcgan_mnist_28x28",
    "threads": threads, "batch": M, "warmup": warmup, "iterations": iters,
    "ms_per_iteration": round(statistics.median(times), 2),
    "ms_mean": round(statistics.fmean(times), 2),
    "ms_min": round(min(times), 2),
    "cpu_ms_per_iteration": round(statistics.median(cpu_times), 2),
    "mkldnn_available": torch.backends.mkldnn.is_available(),
    "mkldnn_enabled": torch.backends.mkldnn.enabled,
    "blas_info": blas.group(1) if blas else None,
    "cpu_capability": cpu.group(1) if cpu else None,
    "parameters_g": sum(p.numel() for p in G.parameters()),
    "parameters_d": sum(p.numel() for p in D.parameters()),
}))
