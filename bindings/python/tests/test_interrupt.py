"""Ctrl-C: a process sent SIGINT while training ends with KeyboardInterrupt
within 1 s, and the checkpoint it then saves loads and trains on."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import libgan
from conftest import Rig

CHILD = textwrap.dedent("""
    import sys, time
    sys.path[:0] = [%(tests)r]
    from conftest import Rig
    r = Rig(rows=2000, batch=100)
    print("training", flush=True)
    try:
        r.s.train(10 ** 9)
    except KeyboardInterrupt:
        caught = time.monotonic()  # CLOCK_MONOTONIC: comparable with the parent's
        r.s.save(sys.argv[1])
        r.s.train(2)
        print("caught", caught, "iteration", r.s.iteration, flush=True)
        sys.exit(3)
    sys.exit(1)
""")


def _run_child(tmp_path, script):
    ckpt = str(tmp_path / "int.ckpt")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(os.path.dirname(libgan.__file__)),
                                         env.get("PYTHONPATH", "")])
    p = subprocess.Popen([sys.executable, "-c", script % {"tests": os.path.dirname(__file__)},
                          ckpt], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env)
    assert p.stdout.readline().strip() == "training"
    time.sleep(0.5)  # well into training
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    m = out.split()
    took = float(m[m.index("caught") + 1]) - sent if "caught" in m else float("inf")
    return p.returncode, took, out, err, ckpt


def test_sigint_during_train(tmp_path):
    rc, took, out, err, ckpt = _run_child(tmp_path, CHILD)
    assert rc == 3, (out, err)
    assert took < 1.0, "KeyboardInterrupt came %.2f s after SIGINT" % took
    done = int(out.split()[-1])
    r = Rig(rows=2000, batch=100)
    r.s.load(ckpt)
    assert r.s.iteration == done - 2 > 0
    r.s.train(1)


STEPS_CHILD = CHILD.replace("r.s.train(10 ** 9)", "for st in r.s.steps(): pass")


def test_sigint_while_iterating_steps(tmp_path):
    rc, took, out, err, ckpt = _run_child(tmp_path, STEPS_CHILD)
    assert rc == 3, (out, err)
    assert took < 1.0, "KeyboardInterrupt came %.2f s after SIGINT" % took
    r = Rig(rows=2000, batch=100)
    r.s.load(ckpt)


def test_sigint_timing_in_process():
    # The main thread takes the signal at once while C trains on a worker.
    r = Rig(rows=2000, batch=100)
    import threading
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.monotonic()
    try:
        r.s.train(10 ** 9)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("no KeyboardInterrupt")
    assert time.monotonic() - t0 < 0.3 + 1.0
    n = r.s.iteration
    r.s.train(3)  # the request was consumed
    assert r.s.iteration == n + 3
