"""Optimizer: SGD with momentum schedules, or Adam, bound to one Net."""
import ctypes

from . import lowlevel as ll
from ._base import Handle, enum_value
from ._enums import OptimizerKind
from ._errors import check

OPTION_NAMES = [f for f, _ in ll.gan_optimizer_options._fields_ if f not in ("version", "kind")]


def _options(struct_type, init_fn, version, kw, what):
    o = struct_type()
    check(init_fn(ctypes.byref(o), version))
    names = [f for f, _ in struct_type._fields_ if f != "version"]
    for k, v in kw.items():
        if k not in names:
            raise TypeError("%s: unknown option %r; options are %s" % (what, k, ", ".join(names)))
        setattr(o, k, v)
    return o


def _as_dict(o):
    return {f: getattr(o, f) for f, _ in type(o)._fields_ if f != "version"}


class Optimizer(Handle):
    """Optimizer(net, kind="sgd", **options): options are the fields of
    gan_optimizer_options (learning_rate, lr_decay, lr_min, momentum,
    momentum_final, momentum_start_epoch, momentum_saturate_epoch, beta1,
    beta2, epsilon, max_norm), defaults from gan_optimizer_options_init.
    Keeps net alive."""

    _free_fn = ll.gan_optimizer_free

    def __init__(self, net, kind="sgd", **options):
        kind = enum_value(kind, OptimizerKind, "kind")
        o = _options(ll.gan_optimizer_options, ll.gan_optimizer_options_init,
                     ll.GAN_OPTIMIZER_OPTIONS_VERSION, options, "Optimizer")
        o.kind = int(kind)
        p = ll.optp()
        net._hold()
        try:
            with net._use() as n:
                check(ll.gan_optimizer_create(ctypes.byref(p), n, ctypes.byref(o)))
        except BaseException:
            net._unhold()
            raise
        super().__init__(p)
        self.net = net
        self._options = o

    def _on_free(self):
        self.net._unhold()

    @property
    def options(self):
        """The options it was created with, as a dict."""
        return _as_dict(self._options)

    def step(self):
        """One update of the net from its current gradients."""
        with self._use() as p, self.net._use(borrowed=True):
            check(ll.gan_optimizer_step(p))

    def set_epoch(self, epoch):
        with self._use() as p:
            check(ll.gan_optimizer_set_epoch(p, int(epoch)))

    @property
    def learning_rate(self):
        with self._use(False) as p:
            return ll.gan_optimizer_learning_rate(p)

    @property
    def momentum(self):
        with self._use(False) as p:
            return ll.gan_optimizer_momentum(p)

    @property
    def steps(self):
        with self._use(False) as p:
            return ll.gan_optimizer_steps(p)

    @property
    def state(self):
        """The optimizer's state as bytes (settable with bytes from the same
        kind of optimizer on a net of the same size)."""
        with self._use(False) as p:
            n = ll.gan_optimizer_state_size(p)
            buf = ctypes.create_string_buffer(n)
            check(ll.gan_optimizer_get_state(buf, n, p))
        return buf.raw

    @state.setter
    def state(self, blob):
        blob = bytes(blob)
        with self._use() as p:
            check(ll.gan_optimizer_set_state(p, blob, len(blob)))

    def __repr__(self):
        if self._closed:
            return self._closed_repr()
        o = self._options
        kind = OptimizerKind(o.kind).name.lower()
        if o.kind == ll.GAN_OPT_SGD:
            extra = "momentum=%g->%g" % (o.momentum, o.momentum_final)
        else:
            extra = "betas=(%g, %g)" % (o.beta1, o.beta2)
        return "<libgan.Optimizer %s lr=%g %s, %d steps>" % (kind, self.learning_rate, extra,
                                                             self.steps)
