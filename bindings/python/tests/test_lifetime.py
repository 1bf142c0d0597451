"""Keep-alive: deleting or closing the objects a session (or an optimizer,
or a numpy view) uses, in every order, never crashes; and a handle is used
by one thread at a time."""
import gc
import itertools
import threading
import time

import numpy as np
import pytest

import libgan
from conftest import Rig

NAMES = ["s", "g", "d", "g_opt", "d_opt", "data"]


def _train_and_check(objs):
    objs["s"].train(2)


@pytest.mark.parametrize("how", ["del", "close"])
def test_every_release_order(how):
    # All 720 orders of releasing the session and its five parts; after the
    # first release the survivors are used.
    for order in itertools.permutations(NAMES):
        r = Rig(rows=20, batch=10)
        objs = {n: getattr(r, n) for n in NAMES}
        del r
        for i, name in enumerate(order):
            if how == "close":
                objs[name].close()
            del objs[name]
            if i == 0 and "s" in objs:
                objs["s"].step()
            if i == 0 and "g" in objs:
                objs["g"].forward(np.zeros((2, 4), np.float32))
    gc.collect()


def test_session_keeps_parts_alive_after_close_of_parts():
    r = Rig()
    for h in (r.g, r.d, r.g_opt, r.d_opt, r.data):
        h.close()
    with pytest.raises(libgan.ClosedError):
        r.g.forward(np.zeros((1, 4), np.float32))
    # the session still trains: the C objects live until it goes
    r.s.train(3)
    assert r.s.sample(2).shape == (2, 2)
    r.s.close()


def test_views_outlive_everything():
    r = Rig()
    v = r.data.data
    want = v.copy()
    r.s.close()
    r.data.close()
    del r
    gc.collect()
    assert np.array_equal(v, want)


def test_cycles_are_collected_in_any_order():
    for _ in range(20):
        r = Rig(rows=50, batch=10)
        r.g.cycle = r  # a reference cycle through every object
        r.s.cycle = r
        del r
        gc.collect()


def test_concurrent_use_is_refused():
    r = Rig(rows=400, batch=40)
    started = threading.Event()
    errors = []

    def slow(st):
        started.set()
        time.sleep(0.002)

    t = threading.Thread(target=lambda: r.s.train(300, progress=slow))
    t.start()
    started.wait()
    for call in (lambda: r.s.step(), lambda: r.g_opt.step(),
                 lambda: r.data.next_batch(4, libgan.Rng(1)), lambda: r.s.save("/nonexistent"),
                 lambda: r.g.add_dense(3), lambda: r.s.close()):
        try:
            call()
        except libgan.BusyError as e:
            errors.append(str(e))
    t.join()
    assert len(errors) == 6, errors
    assert "another thread" in errors[0] or "in use" in errors[0]
    r.s.train(1)  # free again


def test_two_sessions_in_two_threads_release_the_gil():
    rigs = [Rig(seed=1), Rig(seed=1)]
    ref = Rig(seed=1)
    ref.s.train(400)
    ticks = []
    stop = threading.Event()

    def ticker():  # runs only while the GIL is free
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    tk = threading.Thread(target=ticker)
    tk.start()
    ths = [threading.Thread(target=lambda r=r: r.s.train(400)) for r in rigs]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    stop.set()
    tk.join()
    for r in rigs:  # same results as one alone: no interference
        assert np.array_equal(r.g.params, ref.g.params)
        assert np.array_equal(r.d.params, ref.d.params)
    assert len(ticks) > 3
