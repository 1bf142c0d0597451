"""Dataset (rows of float32 in C memory) and Toy (distributions with known
densities)."""
import ctypes
import os

import numpy as np

from . import lowlevel as ll
from ._base import I32P, Handle, as_f32, enum_value, out_array, ptr, view
from ._enums import ToyKind
from ._errors import check, error_for
from .optimizer import _as_dict, _options


class Toy:
    """A toy distribution: Toy("ring", modes=8, radius=2, std=0.02), or
    "gaussian_1d" (mean, std), or "grid_2d" (grid_side, spacing, std).
    Defaults from gan_toy_options_init. No C handle: only options."""

    def __init__(self, kind="ring_2d", **options):
        kind = {"ring": "ring_2d", "grid": "grid_2d", "gaussian": "gaussian_1d"}.get(kind, kind)
        self._o = _options(ll.gan_toy_options, ll.gan_toy_options_init,
                           ll.GAN_TOY_OPTIONS_VERSION, options, "Toy")
        self._o.kind = int(enum_value(kind, ToyKind, "kind"))
        self.width  # validates the options

    @property
    def options(self):
        return _as_dict(self._o)

    @property
    def width(self):
        w = ll.gan_toy_width(ctypes.byref(self._o))
        if w == 0:
            raise error_for(ll.gan_error_last_code())
        return w

    @property
    def num_modes(self):
        return ll.gan_toy_num_modes(ctypes.byref(self._o))

    def centers(self):
        a = np.empty((self.num_modes, self.width), np.float32)
        check(ll.gan_toy_centers(ptr(a), a.size, ctypes.byref(self._o)))
        return a

    def sample(self, rows, rng, out=None):
        a = out_array(out, (rows, self.width), np.float32)
        with rng._use() as r:
            check(ll.gan_toy_sample(ptr(a), rows, a.shape[1], ctypes.byref(self._o), r))
        return a

    def density(self, x):
        a = as_f32(x, "x")
        d = np.empty(a.shape[0], np.float64)
        check(ll.gan_toy_density(ptr(d, ll.f64p), ctypes.byref(self._o), ptr(a), a.shape[0],
                                 a.shape[1]))
        return d

    def assign(self, x):
        """(nearest mode of each row, its distance in units of std)."""
        a = as_f32(x, "x")
        mode = np.empty(a.shape[0], np.int32)
        dist = np.empty(a.shape[0], np.float32)
        check(ll.gan_toy_assign(ptr(mode, I32P), ptr(dist), ctypes.byref(self._o), ptr(a),
                                a.shape[0], a.shape[1]))
        return mode, dist

    def coverage(self, samples, min_count=1):
        """(modes covered, modes in total, share of high-quality samples)."""
        a = as_f32(samples, "samples")
        c = ll.gan_coverage()
        check(ll.gan_toy_coverage(ctypes.byref(c), ctypes.byref(self._o), ptr(a), a.shape[0],
                                  a.shape[1], int(min_count)))
        return c.modes_covered, c.modes_total, c.high_quality_share

    def __repr__(self):
        o = self.options
        kind = ToyKind(o.pop("kind")).name.lower()
        return "<libgan.Toy %s %s>" % (kind, ", ".join("%s=%g" % kv for kv in o.items()))


class Dataset(Handle):
    """Rows x cols float32 in C memory, optional int32 labels.

    Dataset(x) copies x (a float32 C-contiguous array is read in place; a
    float64 or strided one is converted once first). ``data`` and
    ``labels`` are read-only views of the C memory, without a copy; a view
    keeps the dataset's memory alive even after close()."""

    _free_fn = ll.gan_dataset_free

    def __init__(self, x, _ptr=None):
        if _ptr is None:
            a = as_f32(x, "x")
            _ptr = ll.dsp()
            check(ll.gan_dataset_create(ctypes.byref(_ptr), ptr(a), a.shape[0], a.shape[1]))
        super().__init__(_ptr)

    @classmethod
    def load_idx(cls, images, labels=None):
        """IDX images (scaled to [0,1]) and optional labels, plain or gzip."""
        p = ll.dsp()
        check(ll.gan_dataset_load_idx(ctypes.byref(p), os.fsencode(images),
                                      None if labels is None else os.fsencode(labels)))
        return cls(None, _ptr=p)

    @classmethod
    def load_npy(cls, path):
        """An NPY file: float32, float64 (converted) or uint8 (scaled to
        [0,1]), C order; rows = the first dimension."""
        p = ll.dsp()
        check(ll.gan_dataset_load_npy(ctypes.byref(p), os.fsencode(path)))
        return cls(None, _ptr=p)

    @classmethod
    def load_csv(cls, path, header=False, label_column=-1, delimiter=","):
        """A CSV file of numbers; label_column (0-based, -1 for none) holds
        integer labels."""
        o = _options(ll.gan_csv_options, ll.gan_csv_options_init, ll.GAN_CSV_OPTIONS_VERSION,
                     {"header": int(bool(header)), "label_column": int(label_column),
                      "delimiter": ord(delimiter)}, "Dataset.load_csv")
        p = ll.dsp()
        check(ll.gan_dataset_load_csv(ctypes.byref(p), os.fsencode(path), ctypes.byref(o)))
        return cls(None, _ptr=p)

    @classmethod
    def load_png_dir(cls, path, keep_alpha=False, labels=False, max_files=0):
        """Every *.png of a folder, one row per image (height x width x
        channels, values in [0,1]); labels=True: one subfolder per class."""
        o = _options(ll.gan_png_dir_options, ll.gan_png_dir_options_init,
                     ll.GAN_PNG_DIR_OPTIONS_VERSION,
                     {"alpha": ll.GAN_PNG_ALPHA_KEEP if keep_alpha else ll.GAN_PNG_ALPHA_DROP,
                      "labels": int(bool(labels)), "max_files": int(max_files)},
                     "Dataset.load_png_dir")
        p = ll.dsp()
        check(ll.gan_dataset_load_png_dir(ctypes.byref(p), os.fsencode(path), ctypes.byref(o)))
        return cls(None, _ptr=p)

    @classmethod
    def load_cifar10(cls, paths):
        """CIFAR-10 binary files (data_batch_1.bin ... test_batch.bin from
        cifar-10-binary.tar.gz): one path or a list, concatenated in order.
        Rows of 3072 values in [0,1], channel-major (3 x 32 x 32, as
        png_write_grid_chw draws them); labels 0..9."""
        if isinstance(paths, (str, bytes, os.PathLike)):
            paths = [paths]
        enc = [os.fsencode(q) for q in paths]
        arr = (ctypes.c_char_p * max(len(enc), 1))(*enc)
        p = ll.dsp()
        check(ll.gan_dataset_load_cifar10(ctypes.byref(p), arr, len(enc)))
        return cls(None, _ptr=p)

    def gcn(self, scale=1.0, subtract_mean=True, use_std=False, sqrt_bias=0.0, min_divisor=1e-8):
        """A new dataset with every row global-contrast-normalised as
        pylearn2's global_contrast_normalize does it (same arguments and
        defaults; the paper's CIFAR-10 model used scale=55)."""
        o = _options(ll.gan_gcn_options, ll.gan_gcn_options_init, ll.GAN_GCN_OPTIONS_VERSION,
                     {"scale": float(scale), "subtract_mean": int(bool(subtract_mean)),
                      "use_std": int(bool(use_std)), "sqrt_bias": float(sqrt_bias),
                      "min_divisor": float(min_divisor)}, "Dataset.gcn")
        p = ll.dsp()
        with self._use(False) as d:
            check(ll.gan_dataset_gcn(ctypes.byref(p), d, ctypes.byref(o)))
        return type(self)(None, _ptr=p)

    def scaled(self, to="symmetric"):
        """A new dataset with the values mapped from [0,1] to [-1,1]
        (to="symmetric") or back (to="unit")."""
        ranges = {"unit": ll.GAN_RANGE_UNIT, "symmetric": ll.GAN_RANGE_SYMMETRIC}
        if to not in ranges:
            raise ValueError("to must be 'unit' or 'symmetric', got %r" % (to,))
        src = ranges["unit" if to == "symmetric" else "symmetric"]
        p = ll.dsp()
        with self._use(False) as d:
            check(ll.gan_dataset_scale(ctypes.byref(p), d, src, ranges[to]))
        return type(self)(None, _ptr=p)

    def append_onehot(self, classes):
        """A new dataset of rows [x | onehot(label)] (labels kept): the data
        of a conditional GAN on labels (Session(..., cond_width=classes))."""
        p = ll.dsp()
        with self._use(False) as d:
            check(ll.gan_dataset_append_onehot(ctypes.byref(p), d, classes))
        return type(self)(None, _ptr=p)

    def append_masked(self, mask):
        """A new dataset of rows [x | x * mask] (mask: cols values, each 0
        or 1): a conditional GAN on it (cond_width=cols) fills in the hidden
        part."""
        m = as_f32(np.asarray(mask, dtype=np.float32).reshape(1, -1), "mask")
        p = ll.dsp()
        with self._use(False) as d:
            check(ll.gan_dataset_append_masked(ctypes.byref(p), d, ptr(m), m.shape[1]))
        return type(self)(None, _ptr=p)

    @classmethod
    def toy(cls, toy, rows, rng):
        """rows samples of a Toy."""
        p = ll.dsp()
        with rng._use() as r:
            check(ll.gan_dataset_create_toy(ctypes.byref(p), ctypes.byref(toy._o), int(rows), r))
        return cls(None, _ptr=p)

    def subset(self, begin, count):
        """Rows [begin, begin+count), sharing the storage (no copy)."""
        p = ll.dsp()
        with self._use(False) as s:
            check(ll.gan_dataset_subset(ctypes.byref(p), s, int(begin), int(count)))
        return Dataset(None, _ptr=p)

    @property
    def rows(self):
        with self._use(False) as p:
            return ll.gan_dataset_rows(p)

    @property
    def cols(self):
        with self._use(False) as p:
            return ll.gan_dataset_cols(p)

    @property
    def shape(self):
        return (self.rows, self.cols)

    def __len__(self):
        return self.rows

    @property
    def data(self):
        """Read-only rows x cols float32 view of the rows (no copy)."""
        with self._use(False) as p:
            r, c = ll.gan_dataset_rows(p), ll.gan_dataset_cols(p)
            addr = ctypes.cast(ll.gan_dataset_data(p), ctypes.c_void_p).value
            return view(self, addr, r * c, ctypes.c_float, np.float32, (r, c))

    @property
    def labels(self):
        """Read-only int32 view of the labels, or None."""
        with self._use(False) as p:
            lp = ll.gan_dataset_labels(p)
            if not lp:
                return None
            r = ll.gan_dataset_rows(p)
            addr = ctypes.cast(lp, ctypes.c_void_p).value
            return view(self, addr, r, ctypes.c_int32, np.int32, (r,))

    def column_mean(self):
        with self._use(False) as p:
            m = np.empty(ll.gan_dataset_cols(p), np.float32)
            check(ll.gan_dataset_column_mean(ptr(m), m.size, p))
        return m

    def next_batch(self, batch, rng, with_labels=False):
        """The next shuffled minibatch (the last of an epoch may be
        smaller): an array, or (array, labels) with with_labels."""
        with self._use() as p, rng._use() as r:
            x = np.empty((batch, ll.gan_dataset_cols(p)), np.float32)
            lab = np.empty(batch, np.int32) if with_labels else None
            n = ctypes.c_size_t()
            check(ll.gan_dataset_next_batch(ptr(x), ptr(lab, I32P) if with_labels else None,
                                            ctypes.byref(n), p, r, int(batch)))
        n = n.value
        return (x[:n], lab[:n]) if with_labels else x[:n]

    @property
    def epoch(self):
        with self._use(False) as p:
            return ll.gan_dataset_epoch(p)

    def rewind(self):
        with self._use() as p:
            check(ll.gan_dataset_rewind(p))

    def __repr__(self):
        if self._closed:
            return self._closed_repr()
        with self._use(False) as p:
            lab = ", labelled" if ll.gan_dataset_labels(p) else ""
        return "<libgan.Dataset %d x %d%s>" % (self.rows, self.cols, lab)
