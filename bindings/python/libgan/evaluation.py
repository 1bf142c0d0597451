"""Parzen-window likelihoods, nearest neighbours, PNG grids, interpolation,
the losses and the single D / G steps."""
import ctypes
import os
from dataclasses import dataclass

import numpy as np

from . import lowlevel as ll
from ._base import F64P, I32P, I64P, Handle, as_f32, as_f64, enum_value, ptr
from ._enums import GLoss
from ._errors import ShapeError, check


class Parzen(Handle):
    """Parzen-window estimator over samples (n x d; copied by C)."""

    _free_fn = ll.gan_parzen_free

    def __init__(self, samples):
        a = as_f32(samples, "samples")
        p = ll.parp()
        check(ll.gan_parzen_create(ctypes.byref(p), ptr(a), a.shape[0], a.shape[1]))
        super().__init__(p)
        self.shape = a.shape

    def set_block_rows(self, block_rows):
        with self._use() as p:
            check(ll.gan_parzen_set_block_rows(p, int(block_rows)))

    def log_likelihood(self, x, sigma):
        """(per-row log-likelihoods, their mean, its standard error)."""
        a = as_f32(x, "x")
        ll_out = np.empty(a.shape[0], np.float64)
        mean, se = ctypes.c_double(), ctypes.c_double()
        with self._use() as p:
            check(ll.gan_parzen_log_likelihood(ptr(ll_out, F64P), ctypes.byref(mean),
                                               ctypes.byref(se), p, ptr(a), a.shape[0],
                                               a.shape[1], float(sigma)))
        return ll_out, mean.value, se.value

    def select_sigma(self, x, sigmas=None):
        """(best sigma, mean log-likelihood per sigma); sigmas defaults to
        the paper's grid."""
        a = as_f32(x, "x")
        s = paper_grid() if sigmas is None else as_f64(sigmas, "sigmas")
        means = np.empty(s.size, np.float64)
        best = ctypes.c_double()
        with self._use() as p:
            check(ll.gan_parzen_select_sigma(ctypes.byref(best), ptr(means, F64P), p, ptr(a),
                                             a.shape[0], a.shape[1], ptr(s, F64P), s.size))
        return best.value, means

    def log_likelihood_sigmas(self, x, sigmas):
        """(mean log-likelihood, standard error) arrays, one per sigma."""
        a = as_f32(x, "x")
        s = as_f64(sigmas, "sigmas")
        mean, se = np.empty(s.size, np.float64), np.empty(s.size, np.float64)
        with self._use() as p:
            check(ll.gan_parzen_log_likelihood_sigmas(ptr(mean, F64P), ptr(se, F64P), p, ptr(a),
                                                      a.shape[0], a.shape[1], ptr(s, F64P),
                                                      s.size))
        return mean, se

    def __repr__(self):
        if self._closed:
            return self._closed_repr()
        return "<libgan.Parzen %d samples x %d>" % self.shape


def paper_grid(n=ll.GAN_PARZEN_PAPER_GRID_SIZE):
    """logspace(-1, 0, n): the paper's sigma grid."""
    out = np.empty(int(n), np.float64)
    check(ll.gan_parzen_paper_grid(ptr(out, F64P), out.size))
    return out


def nearest_neighbors(queries, ref):
    """(index, squared distance) of each query row's nearest ref row."""
    q = as_f32(queries, "queries")
    r = as_f32(ref, "ref")
    idx = np.empty(q.shape[0], np.int64)
    dist = np.empty(q.shape[0], np.float32)
    check(ll.gan_nearest_neighbors(ptr(idx, I64P), ptr(dist), ptr(q), q.shape[0], q.shape[1],
                                   ptr(r), r.shape[0], r.shape[1]))
    return idx, dist


def _png_grid(fn, c, path, images, grid_rows, grid_cols, h, w, last_column):
    per = h * w * c
    a = as_f32(np.asarray(images).reshape(-1, per) if np.ndim(images) != 2 else images,
               "images")
    lc = None
    if last_column is not None:
        lc = as_f32(np.asarray(last_column).reshape(-1, per), "last_column")
        if lc.shape[0] != grid_rows:
            raise ValueError("last_column needs %d images, got %d" % (grid_rows, lc.shape[0]))
    if a.size != grid_rows * grid_cols * per:
        raise ValueError("images holds %d values, a %dx%d grid of %dx%dx%d needs %d"
                         % (a.size, grid_rows, grid_cols, h, w, c, grid_rows * grid_cols * per))
    check(fn(os.fsencode(path), ptr(a), grid_rows, grid_cols, h, w,
             ptr(lc) if lc is not None else None))


def png_write_grid(path, images, grid_rows, grid_cols, h, w, last_column=None):
    """A PNG grid of grey h x w images in [0, 1] (grid_rows*grid_cols of
    them, rows of images or an (n, h, w) array), with an optional extra
    framed column of grid_rows images."""
    _png_grid(ll.gan_png_write_grid, 1, path, images, grid_rows, grid_cols, h, w, last_column)


def png_write_grid_rgb(path, images, grid_rows, grid_cols, h, w, last_column=None):
    """The same for RGB images laid out height x width x 3 (rows of h*w*3
    values or an (n, h, w, 3) array), as Dataset.load_png_dir gives them."""
    _png_grid(ll.gan_png_write_grid_rgb, 3, path, images, grid_rows, grid_cols, h, w,
              last_column)


def png_write_grid_chw(path, images, grid_rows, grid_cols, h, w, last_column=None):
    """The same for RGB images laid out 3 x height x width (rows of 3*h*w
    values or an (n, 3, h, w) array), as Dataset.load_cifar10 gives them."""
    _png_grid(ll.gan_png_write_grid_chw, 3, path, images, grid_rows, grid_cols, h, w,
              last_column)


def interpolate(anchors, steps):
    """(n_anchors-1)*steps+1 rows going linearly from anchor to anchor."""
    a = as_f32(anchors, "anchors")
    rows = (a.shape[0] - 1) * int(steps) + 1 if a.shape[0] > 0 else 0
    out = np.empty((max(rows, 0), a.shape[1]), np.float32)
    check(ll.gan_interpolate(ptr(out), out.shape[0], ptr(a), a.shape[0], a.shape[1], int(steps)))
    return out


def loss_d(logit_real, logit_fake, half=False):
    """(D loss, gradient for the real logits, for the fake logits)."""
    r = as_f32(logit_real, "logit_real", ndim=1)
    f = as_f32(logit_fake, "logit_fake", ndim=1)
    loss = ctypes.c_double()
    gr, gf = np.empty_like(r), np.empty_like(f)
    check(ll.gan_loss_d(ctypes.byref(loss), ptr(gr), ptr(gf), ptr(r), r.size, ptr(f), f.size,
                        ll.GAN_LOSS_D_HALF if half else 0))
    return loss.value, gr, gf


def loss_g(logit_fake, kind="non_saturating"):
    """(G loss, gradient for the fake logits)."""
    f = as_f32(logit_fake, "logit_fake", ndim=1)
    loss = ctypes.c_double()
    g = np.empty_like(f)
    check(ll.gan_loss_g(ctypes.byref(loss), ptr(g), ptr(f), f.size,
                        int(enum_value(kind, GLoss, "kind"))))
    return loss.value, g


def loss_softmax_cross_entropy(logits, labels):
    """(mean softmax cross-entropy of rows x classes logits against int
    labels in [0, classes), gradient for the logits)."""
    a = as_f32(logits, "logits")
    lab = np.asarray(labels)
    if lab.dtype.kind not in "iu":
        raise TypeError("labels must be an integer array, got dtype %s" % lab.dtype)
    if lab.shape != (a.shape[0],):
        raise ShapeError("labels has shape %s, expected (%d,): one per row of logits"
                         % (lab.shape, a.shape[0]))
    # Values outside int32 would wrap in the conversion; C names the row of
    # any label outside [0, classes), so clip them to a value it refuses.
    lab = np.ascontiguousarray(np.clip(lab, -1, np.iinfo(np.int32).max), dtype=np.int32)
    loss = ctypes.c_double()
    g = np.empty_like(a)
    check(ll.gan_loss_softmax_cross_entropy(ctypes.byref(loss), ptr(g), ptr(a), a.shape[0],
                                            a.shape[1], ptr(lab, I32P)))
    return loss.value, g


def softmax(logits):
    """Class probabilities of rows x classes logits (each row sums to 1)."""
    a = as_f32(logits, "logits")
    out = np.empty_like(a)
    check(ll.gan_softmax(ptr(out), ptr(a), a.shape[0], a.shape[1]))
    return out


@dataclass(frozen=True)
class StepStats:
    d_loss: float
    g_loss: float
    d_real: float
    d_fake: float


def update_d(d, d_opt, real, fake, rng=None, half=False):
    """One discriminator step on real and fake rows; StepStats."""
    r = as_f32(real, "real")
    f = as_f32(fake, "fake")
    if r.shape != f.shape:
        from ._errors import ShapeError
        raise ShapeError("real %s and fake %s differ in shape" % (r.shape, f.shape))
    st = ll.gan_step_stats()
    with d._use() as dp, d_opt._use() as op:
        rp = rng._use().__enter__() if rng is not None else None
        try:
            check(ll.gan_update_d(ctypes.byref(st), dp, op, rp, ptr(r), ptr(f), r.shape[0],
                                  r.shape[1], ll.GAN_LOSS_D_HALF if half else 0))
        finally:
            if rng is not None:
                rng._release(True)
    return StepStats(st.d_loss, st.g_loss, st.d_real, st.d_fake)


def update_g(g, g_opt, d, z, rng=None, g_loss="non_saturating"):
    """One generator step from noise z, through d; StepStats."""
    zz = as_f32(z, "z")
    st = ll.gan_step_stats()
    with g._use() as gp, g_opt._use() as op, d._use() as dp:
        rp = rng._use().__enter__() if rng is not None else None
        try:
            check(ll.gan_update_g(ctypes.byref(st), gp, op, dp, rp, ptr(zz), zz.shape[0],
                                  zz.shape[1], int(enum_value(g_loss, GLoss, "g_loss"))))
        finally:
            if rng is not None:
                rng._release(True)
    return StepStats(st.d_loss, st.g_loss, st.d_real, st.d_fake)
