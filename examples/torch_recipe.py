#!/usr/bin/python3
"""Cross-check of examples/mnist with an independent implementation: the
paper's MNIST model and the original code's recipe (docs/paper.md section 2) in
PyTorch, so the training behaviour libgan shows can be compared with
another library's.

    /usr/bin/python3 examples/torch_recipe.py DATA_DIR alternating|simultaneous EPOCHS [THREADS]

Prints mean D(x) and D(G(z)) per epoch, like examples/mnist, and at the end
the Parzen-window log-likelihood of 10,000 samples on the MNIST test set
with sigma chosen on train[50000:51000] (docs/paper.md section 3). Needs
python3-torch (bash cmake/deps.sh --peer). Slow: about 40 s per epoch on
one core.
"""
import sys
import time

import numpy as np
import torch
import torch.nn as nn

if len(sys.argv) < 4 or sys.argv[2] not in ("alternating", "simultaneous"):
    sys.exit(__doc__)
data, order, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
torch.manual_seed(1)


def idx_images(name):
    raw = np.fromfile(f"{data}/{name}", dtype=np.uint8)[16:]
    return torch.from_numpy(raw.reshape(-1, 784).astype(np.float32) / 255.0)


train_all = idx_images("train-images-idx3-ubyte")
X = train_all[:50000]


class Maxout(nn.Module):
    def __init__(self, n_in, units, pieces):
        super().__init__()
        self.lin = nn.Linear(n_in, units * pieces)
        self.units, self.pieces = units, pieces

    def forward(self, x):  # unit j = max of pieces j*p .. j*p+p-1
        return self.lin(x).view(-1, self.units, self.pieces).max(2)[0]


G = nn.Sequential(nn.Linear(100, 1200), nn.ReLU(), nn.Linear(1200, 1200), nn.ReLU(),
                  nn.Linear(1200, 784))  # sigmoid applied below
D = nn.Sequential(nn.Dropout(0.2), Maxout(784, 240, 5), nn.Dropout(0.5), Maxout(240, 240, 5),
                  nn.Dropout(0.5), nn.Linear(240, 1))  # logit
with torch.no_grad():
    for net, r in ((G, 0.05), (D, 0.005)):
        for mod in net.modules():
            if isinstance(mod, nn.Linear):
                mod.weight.uniform_(-r, r)
                mod.bias.zero_()
    mean = X.mean(0).clamp(1e-7, 1 - 1e-7)
    G[4].bias.copy_(torch.log(mean / (1 - mean)))

opt_g = torch.optim.SGD(G.parameters(), lr=0.1, momentum=0.5)
opt_d = torch.optim.SGD(D.parameters(), lr=0.1, momentum=0.5)
softplus = nn.functional.softplus
batch, step = 100, 0


def noise(n):
    return (torch.rand(n, 100) * 2 - 1) * 3 ** 0.5


for epoch in range(1, epochs + 1):
    mu = 0.5 + 0.2 * min(1.0, (epoch - 1) / 249)
    perm = torch.randperm(50000)
    t0, dx, dg = time.time(), 0.0, 0.0
    for b in range(50000 // batch):
        lr = max(0.1 / 1.000004 ** step, 1e-6)
        for opt in (opt_g, opt_d):
            for group in opt.param_groups:
                group["lr"], group["momentum"] = lr, mu
        x = X[perm[b * batch:(b + 1) * batch]]
        if order == "alternating":  # Algorithm 1, k = 1
            a_real, a_fake = D(x), D(torch.sigmoid(G(noise(batch))).detach())
            loss_d = 0.5 * (softplus(-a_real).mean() + softplus(a_fake).mean())
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            loss_g = softplus(-D(torch.sigmoid(G(noise(batch))))).mean()
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
        else:  # the released code: both gradients from one forward pass
            a_real, a_fake = D(x), D(torch.sigmoid(G(noise(batch))))
            loss_d = 0.5 * (softplus(-a_real).mean() + softplus(a_fake).mean())
            loss_g = softplus(-a_fake).mean()
            grads_d = torch.autograd.grad(loss_d, list(D.parameters()), retain_graph=True)
            grads_g = torch.autograd.grad(loss_g, list(G.parameters()))
            for p, g in zip(D.parameters(), grads_d):
                p.grad = g
            for p, g in zip(G.parameters(), grads_g):
                p.grad = g
            opt_d.step()
            opt_g.step()
        step += 1
        dx += torch.sigmoid(a_real).mean().item()
        dg += torch.sigmoid(a_fake).mean().item()
    n = 50000 // batch
    print(f"epoch {epoch}: D(x) {dx / n:.3f}  D(G(z)) {dg / n:.3f}  {time.time() - t0:.1f} s",
          flush=True)

# Parzen protocol: 10,000 samples, sigma on 1,000 validation rows, test LL.
with torch.no_grad():
    S = torch.sigmoid(G(noise(10000))).double()
valid = train_all[50000:51000].double()
test = idx_images("t10k-images-idx3-ubyte").double()


def log_likelihood(x, sigma):
    out = []
    for i in range(0, x.shape[0], 500):
        xb = x[i:i + 500]
        d2 = (xb * xb).sum(1, keepdim=True) + (S * S).sum(1)[None, :] - 2 * xb @ S.T
        out.append(torch.logsumexp(-d2 / (2 * sigma * sigma), 1) - np.log(S.shape[0])
                   - 784 * np.log(sigma * np.sqrt(2 * np.pi)))
    return torch.cat(out)


sigma = max(np.logspace(-1, 0, 10), key=lambda s: log_likelihood(valid, s).mean().item())
ll = log_likelihood(test, sigma)
print(f"Parzen LL = {ll.mean().item():.1f} ± {ll.std(unbiased=False).item() / 100:.1f} "
      f"(sigma = {sigma:.4f})")
