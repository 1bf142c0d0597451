"""Session: Algorithm 1's training loop over two nets, two optimizers and a
dataset, with progress callbacks, Ctrl-C and checkpoints."""
import ctypes
import os
import signal
import threading
from dataclasses import dataclass

import numpy as np

from . import lowlevel as ll
from ._base import Handle, as_f32, enum_value, out_array, ptr
from ._enums import GLoss, NoiseKind, UpdateOrder
from ._errors import check, error_for
from .optimizer import _as_dict, _options


@dataclass(frozen=True)
class Stats:
    """One iteration's statistics (a copy of gan_stats)."""
    iteration: int
    epoch: int
    d_loss: float
    g_loss: float
    d_real: float
    d_fake: float
    learning_rate: float
    momentum: float

    @classmethod
    def _from(cls, s):
        return cls(s.iteration, s.epoch, s.d_loss, s.g_loss, s.d_real, s.d_fake,
                   s.learning_rate, s.momentum)


_ENUM_OPTIONS = {"g_loss": GLoss, "noise_kind": NoiseKind, "update_order": UpdateOrder}


class _SigintDeferred:
    """Ctrl-C held back on the main thread while a step takes and gives back
    its handles: a KeyboardInterrupt raised halfway through that
    bookkeeping would leave a handle marked as used, and the next train
    call (on its worker thread) would find it busy. The interrupt is raised
    once the handles are released. Only when Python's default SIGINT
    handler is installed; a handler of the program's own is left alone."""

    def __enter__(self):
        self.caught = False
        self.installed = (threading.current_thread() is threading.main_thread()
                          and signal.getsignal(signal.SIGINT) is signal.default_int_handler)
        if self.installed:
            signal.signal(signal.SIGINT, self._note)
        return self

    def _note(self, signum, frame):
        self.caught = True

    def __exit__(self, *exc):
        if self.installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            if self.caught:
                raise KeyboardInterrupt


class _Run:
    """The state of one train call: the Python progress callable, the
    exception it raised, whether it asked to stop, the last statistics."""

    def __init__(self, progress):
        self.progress = progress
        self.exc = None
        self.stopped = False
        self.last = None
        self.c_fn = ll.gan_progress_fn(self._call if progress is not None else 0)

    def _call(self, stats_p, userdata):
        # gan_stats lives only during the call: copy it.
        try:
            self.last = Stats._from(stats_p.contents)
            if self.progress(self.last):
                self.stopped = True
                return 1
            return 0
        except BaseException as e:  # noqa: B036 -- re-raised by train()
            self.exc = e
            return 1


class Session(Handle):
    """Session(g, d, g_opt, d_opt, data, **options): options are the
    fields of gan_session_options (batch_size, k, g_loss, noise_kind,
    noise_scale, noise_width, seed, update_order, d_loss_half, threads,
    g_average_decay, real_label, cond_width, d_r1_gamma;
    enums also by name, e.g. g_loss="minimax"), defaults from
    gan_session_options_init; noise_width defaults to g.input_width.

    The session keeps g, d, the optimizers and the dataset alive and locks
    them while it trains (another thread using one gets BusyError)."""

    _free_fn = ll.gan_session_free

    def __init__(self, g, d, g_opt, d_opt, data, **options):
        options.setdefault("noise_width", g.input_width)
        for k, enum in _ENUM_OPTIONS.items():
            if k in options:
                options[k] = int(enum_value(options[k], enum, k))
        o = _options(ll.gan_session_options, ll.gan_session_options_init,
                     ll.GAN_SESSION_OPTIONS_VERSION, options, "Session")
        self._parts = (g, d, g_opt, d_opt, data)
        held = []
        try:
            for h in self._parts:
                h._hold()
                held.append(h)
            p = ll.sesp()
            with g._use() as gp, d._use() as dp, g_opt._use() as gop, d_opt._use() as dop, \
                    data._use(False) as dsp:
                check(ll.gan_session_create(ctypes.byref(p), gp, dp, gop, dop, dsp,
                                            ctypes.byref(o)))
        except BaseException:
            for h in held:
                h._unhold()
            raise
        super().__init__(p)
        self.g, self.d, self.g_opt, self.d_opt, self.data = self._parts
        self._options = o

    def _on_free(self):
        for h in self._parts:
            h._unhold()

    @property
    def options(self):
        return _as_dict(self._options)

    class _UseAll:
        """The session and everything it borrows, exclusively."""

        def __init__(self, s):
            self.s = s
            self.got = []

        def __enter__(self):
            try:
                self.s._acquire(True)
                self.got.append(self.s)
                for h in self.s._parts:
                    h._acquire(True, borrowed=True)
                    self.got.append(h)
            except BaseException:
                self.__exit__()
                raise
            return self.s._ptr

        def __exit__(self, *exc):
            for h in reversed(self.got):
                h._release(True)
            self.got = []

    def _train_use(self):
        return Session._UseAll(self)

    # -- training --
    def step(self):
        """One iteration; returns its Stats."""
        st = ll.gan_stats()
        with _SigintDeferred(), self._train_use() as p:
            check(ll.gan_session_step(ctypes.byref(st), p))
        return Stats._from(st)

    def steps(self, iterations=None):
        """Iterate over training steps, yielding each Stats (forever when
        iterations is None). Breaking out of the loop stops training."""
        i = 0
        while iterations is None or i < iterations:
            yield self.step()
            i += 1

    def train(self, iterations, progress=None):
        """Train for iterations iterations. progress(stats) is called after
        each with a Stats copy; a true return value stops training (train
        then returns normally) and an exception it raises stops training
        and propagates. Returns the last Stats seen by progress (or None).

        Ctrl-C (KeyboardInterrupt, or any exception a signal handler
        raises) stops training after the iteration in progress and is
        re-raised with the session consistent: a following step, train or
        save works. Session.interrupt() from another thread stops it with
        AbortedError."""
        return self._run(ll.gan_session_train, iterations, progress)

    def train_epochs(self, epochs, progress=None):
        """Train until epochs more epochs are complete; as train()."""
        return self._run(ll.gan_session_train_epochs, epochs, progress)

    def interrupt(self):
        """Ask a running train()/train_epochs() (in another thread) to stop
        after the iteration in progress. Safe from any thread."""
        with self._lock:  # close() cannot free the session meanwhile
            if self._ptr is not None and not self._closed:
                ll.gan_session_interrupt(self._ptr)

    def _run(self, fn, count, progress):
        count = int(count)
        if count < 0:
            raise ValueError("count must be >= 0, got %d" % count)
        run = _Run(progress)
        result = {}

        done = threading.Event()

        def work():
            # Runs on the thread that calls C; errors are read there
            # (gan_error_last() is per thread).
            try:
                with self._train_use() as p:
                    rc = fn(p, count, run.c_fn, None)
                    result["rc"] = rc
                    if rc:
                        result["err"] = error_for(rc)
            except BaseException as e:
                result["exc"] = e
            finally:
                done.set()

        if threading.current_thread() is threading.main_thread():
            # Signals are handled on the main thread, between bytecodes: run
            # C on a worker so that the main thread can take Ctrl-C while
            # training runs (ctypes releases the GIL during the call).
            # (An Event, not Thread.join: a join interrupted by Ctrl-C may
            # report the thread finished before it is, on Python < 3.13.)
            worker = threading.Thread(target=work, name="libgan-train", daemon=True)
            worker.start()
            try:
                while not done.wait(0.05):
                    pass
            except BaseException:
                self._stop_and_wait(done, result)
                raise
        else:
            work()
        return self._finish(run, result)

    def _stop_and_wait(self, done, result):
        ll.gan_session_interrupt(self._ptr)
        while True:
            try:
                if done.wait(0.05):
                    break
            except BaseException:  # a second Ctrl-C: keep waiting for C
                continue
        if result.get("rc") != ll.GAN_EABORTED:
            # Training ended before it saw the request: discard it so the
            # next train call does not stop at once.
            with self._train_use() as p:
                ll.gan_session_train(p, 0, ll.gan_progress_fn(0), None)

    def _finish(self, run, result):
        if "exc" in result:
            raise result["exc"]
        if run.exc is not None:
            raise run.exc
        rc = result["rc"]
        if rc == ll.GAN_EABORTED and run.stopped:
            return run.last
        if rc:
            raise result["err"]
        return run.last

    @property
    def iteration(self):
        with self._use(False) as p:
            return ll.gan_session_iteration(p)

    @property
    def epoch(self):
        with self._use(False) as p:
            return ll.gan_session_epoch(p)

    # -- sampling --
    def noise(self, rows, out=None):
        """rows noise vectors from the session's prior (this moves the
        training stream; use your own Rng for evaluation noise)."""
        nw = self._options.noise_width
        o = out_array(out, (rows, nw), np.float32)
        with self._use() as p:
            check(ll.gan_session_noise(ptr(o), rows, nw, p))
        return o

    def sample(self, rows=None, z=None, out=None, average=False, c=None):
        """Samples of G: from z (rows x noise_width) or rows fresh noise
        vectors. average=True samples the moving average of G (the
        session's g_average_decay option must be set). A conditional
        session (cond_width > 0) needs c, rows x cond_width conditions."""
        if c is not None:
            cc = as_f32(c, "c", cols=self._options.cond_width)
            rows = cc.shape[0]
        if z is not None:
            zz = as_f32(z, "z", cols=self._options.noise_width)
            rows = zz.shape[0]
        elif rows is None:
            raise ValueError("sample: give rows, z or c")
        with self._train_use() as p:
            oc = ll.gan_net_output_width(self.g._ptr)
            o = out_array(out, (rows, oc), np.float32)
            zp = ptr(zz) if z is not None else None
            if c is not None:
                if cc.shape[0] != rows:
                    raise ValueError("sample: z has %d rows, c %d" % (rows, cc.shape[0]))
                flags = ll.GAN_SAMPLE_AVERAGE if average else 0
                check(ll.gan_session_sample_cond(ptr(o), rows, oc, p, zp, ptr(cc), flags))
            else:
                fn = ll.gan_session_sample_average if average else ll.gan_session_sample
                check(fn(ptr(o), rows, oc, p, zp))
        return o

    def average_params(self):
        """A copy of the averaged G's parameters (laid out like
        Net.params); needs the g_average_decay option."""
        with self._use(False) as p:
            net = ll.netp()
            check(ll.gan_session_average_net(ctypes.byref(net), p))
            n = ll.gan_net_num_params(net)
            o = np.empty(n, np.float32)
            check(ll.gan_net_get_params(ptr(o), n, net))
        return o

    def save_generator(self, path, average=None):
        """Write G, or its moving average (average=True; the default when
        the session keeps one), with the session's noise prior as a
        generator file that libgan.Generator.load reads."""
        if average is None:
            average = self._options.g_average_decay > 0
        go = ll.gan_generator_options()
        check(ll.gan_generator_options_from_session(ctypes.byref(go), ctypes.byref(self._options)))
        with self._train_use() as p:
            if average:
                net = ll.netp()
                check(ll.gan_session_average_net(ctypes.byref(net), p))
            else:
                net = self.g._ptr
            check(ll.gan_generator_save_net(net, ctypes.byref(go), os.fsencode(path)))

    # -- checkpoints --
    def save(self, path):
        """The whole training state in one checksummed file, atomically."""
        with self._train_use() as p:
            check(ll.gan_session_save(p, os.fsencode(path)))

    def load(self, path):
        """Restore a checkpoint of a session of the same architecture and
        options; on error nothing changes."""
        with self._train_use() as p:
            check(ll.gan_session_load(p, os.fsencode(path)))

    def __repr__(self):
        if self._closed:
            return self._closed_repr()
        o = self._options
        return ("<libgan.Session G %d->%d, D %d->1, batch %d, k %d, %s, %s noise x%g, "
                "iteration %d, epoch %d>" % (
                    self.g.input_width, self.g.output_width, self.d.input_width, o.batch_size,
                    o.k, UpdateOrder(o.update_order).name.lower(),
                    NoiseKind(o.noise_kind).name.lower(), o.noise_scale, self.iteration,
                    self.epoch))
