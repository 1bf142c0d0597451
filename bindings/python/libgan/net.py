"""Net: a stack of dense, maxout, dropout and image layers (convolutions,
transposed convolutions, pooling, channel maxout, batch normalisation)."""
import ctypes
from dataclasses import dataclass

import numpy as np

from . import lowlevel as ll
from ._base import Handle, as_f32, enum_value, out_array, ptr
from ._enums import Activation, Init, LayerKind
from ._errors import check


@dataclass(frozen=True)
class LayerInfo:
    """gan_layer_info of one layer."""
    kind: LayerKind
    activation: Activation
    in_width: int
    out_width: int
    units: int
    pieces: int
    keep: float
    leaky_slope: float
    param_offset: int
    num_params: int


@dataclass(frozen=True)
class LayerShape:
    """gan_layer_shape of one layer: image shapes (channels, height, width;
    a flat width n is (n, 1, 1)) and geometry."""
    in_shape: tuple
    out_shape: tuple
    kernel: int
    stride: int
    pad: int
    out_pad: int
    momentum: float
    eps: float


class Net(Handle):
    """A network. Build it with the add_* methods, initialise it with
    init(), then use forward(), or give it to an Optimizer and a Session.

    Arrays in: float32 C-contiguous arrays are used without a copy; other
    floating dtypes (float64) and strided arrays are converted once to
    float32; integer arrays are refused. Arrays out are new float32 arrays
    (or the out= array, which must be float32, C-contiguous, of the exact
    shape)."""

    _free_fn = ll.gan_net_free

    def __init__(self, input_width, _ptr=None):
        if _ptr is None:
            _ptr = ll.netp()
            check(ll.gan_net_create(ctypes.byref(_ptr), int(input_width)))
        super().__init__(_ptr)

    @classmethod
    def load(cls, path):
        """A net saved by save() (or gan_net_save)."""
        p = ll.netp()
        check(ll.gan_net_load(ctypes.byref(p), _path(path)))
        return cls(0, _ptr=p)

    def save(self, path):
        """Write the architecture and parameters atomically to path."""
        with self._use(False) as p:
            check(ll.gan_net_save(p, _path(path)))

    # -- building --
    def add_dense(self, units, activation="identity"):
        """Append a dense layer; activation: an Activation or its name."""
        act = enum_value(activation, Activation, "activation")
        with self._use() as p:
            check(ll.gan_net_add_dense(p, int(units), int(act)))
        return self

    def add_maxout(self, units, pieces):
        with self._use() as p:
            check(ll.gan_net_add_maxout(p, int(units), int(pieces)))
        return self

    def add_dropout(self, keep):
        """Inverted dropout keeping a unit with probability keep."""
        with self._use() as p:
            check(ll.gan_net_add_dropout(p, float(keep)))
        return self

    def add_reshape(self, channels, height, width):
        """Read the current output as a channels x height x width image
        (channel-major rows)."""
        with self._use() as p:
            check(ll.gan_net_add_reshape(p, int(channels), int(height), int(width)))
        return self

    def add_conv2d(self, out_channels, kernel, stride=1, pad=0, activation="identity"):
        """Append a 2-D convolution with square kernels."""
        act = enum_value(activation, Activation, "activation")
        with self._use() as p:
            check(ll.gan_net_add_conv2d(p, int(out_channels), int(kernel), int(stride), int(pad),
                                        int(act)))
        return self

    def add_deconv2d(self, out_channels, kernel, stride=1, pad=0, out_pad=0,
                     activation="identity"):
        """Append a 2-D transposed convolution with square kernels."""
        act = enum_value(activation, Activation, "activation")
        with self._use() as p:
            check(ll.gan_net_add_deconv2d(p, int(out_channels), int(kernel), int(stride),
                                          int(pad), int(out_pad), int(act)))
        return self

    def add_channel_maxout(self, pieces):
        """Per pixel max over groups of pieces consecutive channels."""
        with self._use() as p:
            check(ll.gan_net_add_channel_maxout(p, int(pieces)))
        return self

    def add_maxpool(self, kernel, stride=None, pad=0):
        """Max pooling (stride defaults to kernel)."""
        with self._use() as p:
            check(ll.gan_net_add_maxpool(p, int(kernel), int(kernel if stride is None else stride),
                                         int(pad)))
        return self

    def add_batchnorm(self, momentum=0.1, eps=1e-5):
        """Batch normalisation per channel (per feature of a flat input)."""
        with self._use() as p:
            check(ll.gan_net_add_batchnorm(p, float(momentum), float(eps)))
        return self

    def add_activation(self, activation):
        """An element-wise activation with no parameters (e.g. after a batch
        norm: conv -> batch norm -> activation)."""
        act = enum_value(activation, Activation, "activation")
        with self._use() as p:
            check(ll.gan_net_add_activation(p, int(act)))
        return self

    def layer_shape(self, index):
        """LayerShape of one layer."""
        s = ll.gan_layer_shape()
        with self._use(False) as p:
            check(ll.gan_net_layer_shape(ctypes.byref(s), p, int(index)))
        return LayerShape((s.in_channels, s.in_height, s.in_width),
                          (s.out_channels, s.out_height, s.out_width), s.kernel, s.stride,
                          s.pad, s.out_pad, s.momentum, s.eps)

    def set_leaky_slope(self, layer, slope):
        with self._use() as p:
            check(ll.gan_net_set_leaky_slope(p, int(layer), float(slope)))

    def truncate(self, layers):
        """Keep the first `layers` layers (with their parameters and batch-norm
        statistics) and drop the rest: e.g. a discriminator without its output
        layer, as a feature extractor. Returns self."""
        with self._use() as p:
            check(ll.gan_net_truncate(p, int(layers)))
        return self

    # -- shape --
    @property
    def input_width(self):
        with self._use(False) as p:
            return ll.gan_net_input_width(p)

    @property
    def output_width(self):
        with self._use(False) as p:
            return ll.gan_net_output_width(p)

    @property
    def num_layers(self):
        with self._use(False) as p:
            return ll.gan_net_num_layers(p)

    @property
    def num_params(self):
        with self._use(False) as p:
            return ll.gan_net_num_params(p)

    def layer(self, index):
        """LayerInfo of one layer."""
        info = ll.gan_layer_info()
        with self._use(False) as p:
            check(ll.gan_net_layer_info(ctypes.byref(info), p, int(index)))
        return LayerInfo(LayerKind(info.kind), Activation(info.activation), info.in_width,
                         info.out_width, info.units, info.pieces, info.keep, info.leaky_slope,
                         info.param_offset, info.num_params)

    @property
    def layers(self):
        return [self.layer(i) for i in range(self.num_layers)]

    # -- parameters --
    def init(self, rng, init="uniform", scale=0.05):
        """Initialise every dense and maxout layer (biases to zero)."""
        kind = enum_value(init, Init, "init")
        with self._use() as p, rng._use() as r:
            check(ll.gan_net_init(p, r, int(kind), float(scale)))
        return self

    def init_layer(self, layer, rng, init="uniform", scale=0.05):
        kind = enum_value(init, Init, "init")
        with self._use() as p, rng._use() as r:
            check(ll.gan_net_init_layer(p, int(layer), r, int(kind), float(scale)))

    def set_bias(self, layer, bias):
        b = as_f32(bias, "bias", ndim=1)
        with self._use() as p:
            check(ll.gan_net_set_bias(p, int(layer), ptr(b), b.size))

    def init_output_bias_from_mean(self, mean):
        """The paper's G output init: last biases = logit(mean)."""
        m = as_f32(mean, "mean", ndim=1)
        with self._use() as p:
            check(ll.gan_net_init_output_bias_from_mean(p, ptr(m), m.size))

    @property
    def params(self):
        """A copy of the flat parameter array (gan.h's layout); assign an
        array of num_params floats to set them."""
        with self._use(False) as p:
            a = np.empty(ll.gan_net_num_params(p), dtype=np.float32)
            check(ll.gan_net_get_params(ptr(a), a.size, p))
        return a

    @params.setter
    def params(self, values):
        v = as_f32(values, "params", ndim=1)
        with self._use() as p:
            check(ll.gan_net_set_params(p, ptr(v), v.size))

    @property
    def grads(self):
        """A copy of the gradients of the last backward()."""
        with self._use(False) as p:
            a = np.empty(ll.gan_net_num_params(p), dtype=np.float32)
            check(ll.gan_net_get_grads(ptr(a), a.size, p))
        return a

    # -- running --
    def forward(self, x, logits=False, out=None):
        """Inference on the rows of x (rows x input_width): rows x
        output_width float32. logits=True skips the last activation. Several
        threads may call it on one net at once."""
        a = as_f32(x, "x")
        with self._use(False) as p:
            oc = ll.gan_net_output_width(p)
            o = out_array(out, (a.shape[0], oc), np.float32)
            check(ll.gan_net_forward(ptr(o), oc, p, ptr(a), a.shape[0], a.shape[1],
                                     ll.GAN_FORWARD_LOGITS if logits else 0))
        return o

    def __call__(self, x, logits=False):
        return self.forward(x, logits)

    def train_forward(self, x, rng=None):
        """Training forward (dropout masks from rng), kept for backward()."""
        a = as_f32(x, "x")
        with self._use() as p:
            if rng is None:
                check(ll.gan_net_train_forward(p, None, ptr(a), a.shape[0], a.shape[1]))
            else:
                with rng._use() as r:
                    check(ll.gan_net_train_forward(p, r, ptr(a), a.shape[0], a.shape[1]))
        return self.train_output()

    def train_output(self, logits=False):
        """A copy of the last training forward's output (the C buffer is
        reused by the next training call, so it is copied)."""
        out = ll.f32p()
        rows, cols = ctypes.c_size_t(), ctypes.c_size_t()
        with self._use(False) as p:
            check(ll.gan_net_train_output(ctypes.byref(out), ctypes.byref(rows), ctypes.byref(cols),
                                          p, ll.GAN_FORWARD_LOGITS if logits else 0))
            return np.ctypeslib.as_array(out, shape=(rows.value, cols.value)).copy()

    def backward(self, dy, logits=False, accumulate=False, params=True, want_dx=True):
        """Backward through the last train_forward; returns dx (rows x
        input_width) or None when want_dx is False."""
        g = as_f32(dy, "dy")
        flags = ((ll.GAN_BACKWARD_LOGITS if logits else 0) |
                 (ll.GAN_BACKWARD_ACCUMULATE if accumulate else 0) |
                 (0 if params else ll.GAN_BACKWARD_NO_PARAMS))
        with self._use() as p:
            dx = np.empty((g.shape[0], ll.gan_net_input_width(p)), np.float32) if want_dx else None
            check(ll.gan_net_backward(ptr(dx) if want_dx else None, p, ptr(g), g.shape[0],
                                      g.shape[1], flags))
        return dx

    def __repr__(self):
        if self._closed:
            return self._closed_repr()
        parts = [str(self.input_width)]
        for li in self.layers:
            if li.kind == LayerKind.DENSE:
                parts.append("dense(%d, %s)" % (li.units, li.activation.name.lower()))
            elif li.kind == LayerKind.MAXOUT:
                parts.append("maxout(%dx%d)" % (li.units, li.pieces))
            else:
                parts.append("dropout(%g)" % li.keep)
        return "<libgan.Net %s; %d params>" % (" -> ".join(parts), self.num_params)


def _path(path):
    import os
    return os.fsencode(path)
