"""The high-level classes: results, arrays in and out, errors."""
import os

import numpy as np
import pytest

import libgan
from conftest import Rig


def test_version_and_errors():
    assert libgan.version_string() == libgan.__version__
    assert libgan.abi_version() == libgan.lowlevel.GAN_ABI_VERSION
    assert libgan.blas_info()
    assert "argument" in libgan.strerror(libgan.lowlevel.GAN_EINVAL).lower()


def test_rng():
    a, b = libgan.Rng(5), libgan.Rng(5)
    x = a.uniform((3, 4), -1, 1)
    assert x.dtype == np.float32 and x.shape == (3, 4)
    assert np.array_equal(x, b.uniform((3, 4), -1, 1))
    assert np.all((x >= -1) & (x < 1))
    st = a.state
    n1 = a.normal(100, 2.0, 0.5)
    a.state = st
    assert np.array_equal(n1, a.normal(100, 2.0, 0.5))
    assert 3 <= a.integer(3, 9) <= 9
    assert isinstance(a.u64(), int)
    with pytest.raises(libgan.InvalidArgumentError) as e:
        a.uniform(3, 1.0, 0.0)
    assert e.value.code == libgan.lowlevel.GAN_EINVAL and e.value.code_name == "GAN_EINVAL"
    assert "gan_rng_uniform" in str(e.value)
    with pytest.raises(libgan.InvalidArgumentError):
        a.state = (0, 0, 0, 0)
    out = np.empty(7, np.float32)
    assert a.uniform(7, out=out) is out
    with pytest.raises(TypeError):
        a.uniform(7, out=np.empty(7, np.float64))
    assert "seeded 5" in repr(a)


def test_net_forward_backward_and_arrays():
    rng = libgan.Rng(2)
    net = libgan.Net(3).add_dense(5, "tanh").add_maxout(2, 3).add_dense(1, libgan.Activation.SIGMOID)
    net.init(rng, "normal", 0.3)
    assert (net.input_width, net.output_width, net.num_layers) == (3, 1, 3)
    assert net.layers[1].kind == libgan.LayerKind.MAXOUT and net.layers[1].pieces == 3
    assert net.num_params == sum(li.num_params for li in net.layers)
    assert "maxout(2x3)" in repr(net) and "params" in repr(net)
    x32 = rng.uniform((6, 3), -1, 1)
    y = net.forward(x32)
    assert y.shape == (6, 1) and y.dtype == np.float32 and np.all((y > 0) & (y < 1))
    # float64 converted once, same numbers; strided copied; never reinterpreted
    assert np.array_equal(net.forward(x32.astype(np.float64)), y)
    wide = np.zeros((6, 6), np.float32)
    wide[:, ::2] = x32
    assert np.array_equal(net.forward(wide[:, ::2]), y)
    assert np.array_equal(net(np.asfortranarray(x32)), y)
    with pytest.raises(TypeError):
        net.forward(x32.astype(np.int32))
    with pytest.raises(libgan.ShapeError):
        net.forward(x32[0])  # 1-D
    with pytest.raises((libgan.ShapeError, libgan.InvalidArgumentError)) as e:
        net.forward(np.zeros((2, 4), np.float32))
    assert "gan_net_forward" in str(e.value)
    with pytest.raises(libgan.ShapeError):
        net.forward(x32, out=np.empty((5, 1), np.float32))
    logits = net.forward(x32, logits=True)
    assert np.allclose(1 / (1 + np.exp(-logits)), y, atol=1e-6)
    # training forward, backward, gradients
    out = net.train_forward(x32)
    assert np.allclose(out, y)
    dx = net.backward(np.ones((6, 1), np.float32))
    assert dx.shape == (6, 3) and np.any(net.grads != 0)
    assert net.backward(np.ones((6, 1), np.float32), want_dx=False) is None
    p = net.params
    net.params = p * 2
    assert np.allclose(net.params, p * 2)
    with pytest.raises((libgan.ShapeError, libgan.InvalidArgumentError)):
        net.params = p[:-1]
    net.set_bias(0, np.arange(5, dtype=np.float32))
    assert np.array_equal(net.params[15:20], np.arange(5, dtype=np.float32))
    with pytest.raises(libgan.InvalidArgumentError):
        net.add_dropout(1.5)
    with pytest.raises(ValueError):
        net.add_dense(2, "nope")


def test_net_save_load(tmp_path):
    rng = libgan.Rng(3)
    net = libgan.Net(4).add_dense(3, "leaky_relu").add_dense(2).init(rng)
    net.set_leaky_slope(0, 0.1)
    path = tmp_path / "n.gan"
    net.save(path)
    back = libgan.Net.load(str(path))
    assert np.array_equal(back.params, net.params) and back.layer(0).leaky_slope == pytest.approx(0.1)
    with pytest.raises(libgan.FileError) as e:
        libgan.Net.load(tmp_path / "missing.gan")
    assert e.value.code_name == "GAN_EIO" and "missing.gan" in str(e.value)
    assert isinstance(e.value, OSError)
    (tmp_path / "junk").write_bytes(b"not a net at all, clearly")
    with pytest.raises(libgan.FormatError):
        libgan.Net.load(tmp_path / "junk")


def test_net_truncate():
    rng = libgan.Rng(4)
    net = libgan.Net(4).add_dense(3, "relu").add_dense(5, "tanh").add_dense(1, "sigmoid").init(rng)
    hidden = libgan.Net(4).add_dense(3, "relu").add_dense(5, "tanh")
    hidden.params = net.params[:hidden.num_params]
    x = np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4)
    assert net.truncate(2) is net and net.num_layers == 2
    assert np.array_equal(net.forward(x), hidden.forward(x))
    with pytest.raises(libgan.InvalidArgumentError):
        net.truncate(0)
    with pytest.raises(libgan.InvalidArgumentError):
        net.truncate(3)


def test_image_layers(tmp_path):
    rng = libgan.Rng(5)
    net = (libgan.Net(4).add_deconv2d(8, 4, activation="relu").add_batchnorm()
           .add_deconv2d(2, 4, stride=2, pad=1, activation="tanh"))
    assert net.output_width == 2 * 8 * 8
    assert net.layer_shape(2).out_shape == (2, 8, 8)
    assert net.layer(1).kind == libgan.LayerKind.BATCHNORM
    d = (libgan.Net(128).add_reshape(2, 8, 8).add_conv2d(4, 3, pad=1, activation="leaky_relu")
         .add_channel_maxout(2).add_maxpool(2).add_dense(1, "sigmoid"))
    assert d.layer_shape(3).out_shape == (2, 4, 4)
    net.init(rng, "normal", 0.1)
    x = rng.normal((5, 4))
    net.train_forward(x)
    y = net(x)
    assert y.shape == (5, 128) and np.all(np.abs(y) <= 1)
    path = tmp_path / "conv.gan"
    net.save(path)
    assert np.array_equal(libgan.Net.load(str(path))(x), y)
    # conv -> batch norm -> activation (DCGAN's order), slope kept by a file
    a = (libgan.Net(16).add_reshape(1, 4, 4).add_conv2d(2, 3, pad=1).add_batchnorm()
         .add_activation("leaky_relu").add_dense(1, "sigmoid").init(rng, "normal", 0.3))
    a.set_leaky_slope(3, 0.1)
    assert a.layer(3).kind == libgan.LayerKind.ACTIVATION
    assert a.layer(3).activation == libgan.Activation.LEAKY_RELU
    assert a.layer(3).num_params == 0 and a.layer_shape(3).out_shape == (2, 4, 4)
    path = tmp_path / "act.gan"
    a.save(path)
    back = libgan.Net.load(str(path))
    assert back.layer(3).leaky_slope == pytest.approx(0.1)
    xa = rng.normal((3, 16))
    assert np.array_equal(back(xa), a(xa))
    with pytest.raises(ValueError):
        libgan.Net(3).add_activation("nope")
    with pytest.raises(libgan.ShapeError):
        libgan.Net(10).add_reshape(3, 2, 2)
    with pytest.raises(libgan.ShapeError):
        libgan.Net(18).add_reshape(2, 3, 3).add_channel_maxout(4)


def test_closed_handles():
    rng = libgan.Rng(1)
    net = libgan.Net(2)
    with net:
        net.add_dense(1)
    assert net.closed and "closed" in repr(net)
    with pytest.raises(libgan.ClosedError):
        net.forward(np.zeros((1, 2), np.float32))
    net.close()  # twice is fine
    rng.close()
    with pytest.raises(libgan.ClosedError):
        rng.uniform(3)
    with pytest.raises(libgan.ClosedError):
        libgan.Net(2).add_dense(1).init(rng)


def test_optimizer():
    rng = libgan.Rng(1)
    net = libgan.Net(2).add_dense(2).init(rng)
    opt = libgan.Optimizer(net, "adam", learning_rate=0.01, beta1=0.5)
    assert opt.options["beta1"] == pytest.approx(0.5) and "adam" in repr(opt)
    net.train_forward(np.ones((3, 2), np.float32))
    net.backward(np.ones((3, 2), np.float32))
    before = net.params
    opt.step()
    assert opt.steps == 1 and not np.array_equal(before, net.params)
    blob = opt.state
    assert isinstance(blob, bytes) and len(blob) > 0
    opt.state = blob
    with pytest.raises((libgan.FormatError, libgan.ShapeError)):
        opt.state = blob[:-3]
    with pytest.raises(TypeError):
        libgan.Optimizer(net, bogus=1)
    with pytest.raises(libgan.InvalidArgumentError):
        libgan.Optimizer(net, learning_rate=-1.0)
    sgd = libgan.Optimizer(net, momentum=0.5, momentum_final=0.7, momentum_saturate_epoch=3)
    sgd.set_epoch(3)
    assert sgd.momentum == pytest.approx(0.7) and sgd.learning_rate == pytest.approx(0.1)


def test_dataset_views_and_batches():
    x = np.arange(20, dtype=np.float64).reshape(10, 2)
    ds = libgan.Dataset(x)  # float64 converted once
    assert ds.shape == (10, 2) and len(ds) == 10 and "10 x 2" in repr(ds)
    v = ds.data
    assert np.array_equal(v, x) and not v.flags.writeable and v.dtype == np.float32
    assert ds.labels is None
    assert np.allclose(ds.column_mean(), x.mean(axis=0))
    rng = libgan.Rng(1)
    seen = np.concatenate([ds.next_batch(4, rng) for _ in range(3)])  # 4 + 4 + 2
    assert seen.shape == (10, 2) and ds.epoch == 1
    assert sorted(seen[:, 0]) == sorted(x[:, 0])
    ds.rewind()
    assert ds.epoch == 0
    sub = ds.subset(2, 3)
    assert np.array_equal(sub.data, x[2:5])
    ds.close()  # the view and the subset stay valid
    assert np.array_equal(v, x) and np.array_equal(sub.data, x[2:5])
    with pytest.raises(libgan.ClosedError):
        ds.rows
    with pytest.raises(TypeError):
        libgan.Dataset(np.ones((3, 2), np.int64))
    with pytest.raises(libgan.ShapeError):
        libgan.Dataset(np.ones(3, np.float32))
    with pytest.raises(libgan.InvalidArgumentError):
        sub.subset(2, 5)


def test_dataset_idx_errors(tmp_path):
    with pytest.raises(libgan.FileError):
        libgan.Dataset.load_idx(tmp_path / "none-idx3-ubyte")
    mnist = os.environ.get("GAN_DATA_DIR", "/work/data")
    for ext in ("", ".gz"):
        images = os.path.join(mnist, "t10k-images-idx3-ubyte" + ext)
        labels = os.path.join(mnist, "t10k-labels-idx1-ubyte" + ext)
        if os.path.exists(images) and os.path.exists(labels):
            break
    else:
        pytest.skip("MNIST's t10k files not found in %s (set GAN_DATA_DIR)" % mnist)
    ds = libgan.Dataset.load_idx(images, labels)
    assert ds.shape == (10000, 784) and ds.labels.shape == (10000,)


def test_toy():
    toy = libgan.Toy("ring", modes=8, radius=2.0, std=0.05)
    assert toy.width == 2 and toy.num_modes == 8 and "ring_2d" in repr(toy)
    c = toy.centers()
    assert np.allclose(np.hypot(c[:, 0], c[:, 1]), 2.0, atol=1e-5)
    rng = libgan.Rng(1)
    x = toy.sample(2000, rng)
    mode, dist = toy.assign(x)
    assert set(mode.tolist()) == set(range(8)) and np.median(dist) < 2
    assert np.all(toy.density(x) > 0)
    covered, total, hq = toy.coverage(x, 10)
    assert (covered, total) == (8, 8) and hq > 0.95
    with pytest.raises(libgan.InvalidArgumentError):
        libgan.Toy("ring", std=-1.0)
    with pytest.raises(TypeError):
        libgan.Toy("ring", sigma=1.0)


def test_session_train_sample_save_load(tmp_path):
    r = Rig()
    assert "batch 40" in repr(r.s) and r.s.options["batch_size"] == 40
    seen = []
    last = r.s.train(25, progress=seen.append)
    assert [s.iteration for s in seen] == list(range(1, 26)) and last is seen[-1]
    assert seen[0].epoch == 1 and r.s.iteration == 25 and r.s.epoch == 2
    # the Stats are copies: earlier ones did not change
    assert len({s.d_loss for s in seen}) > 1
    st = r.s.step()
    assert st.iteration == 26
    assert [s.iteration for s in r.s.steps(3)] == [27, 28, 29]
    assert r.s.train_epochs(1) is None and r.s.epoch == 3
    # a callback asking to stop
    out = r.s.train(100, progress=lambda s: s.iteration >= 35)
    assert out.iteration == 35 and r.s.iteration == 35
    path = tmp_path / "c.ckpt"
    r.s.save(path)
    ref = r.s.train(5, progress=lambda s: False)
    r2 = Rig()
    r2.s.load(path)
    assert r2.s.iteration == 35
    assert r2.s.train(5, progress=lambda s: False) == ref
    assert np.array_equal(r2.g.params, r.g.params)
    z = libgan.Rng(9).uniform((4, 4), -1, 1)
    assert np.array_equal(r.s.sample(z=z), r.g.forward(z))
    assert r.s.sample(6).shape == (6, 2) and r.s.noise(3).shape == (3, 4)
    with pytest.raises(libgan.FileError):
        r.s.load(tmp_path / "absent.ckpt")
    with pytest.raises(libgan.ShapeError):
        r.s.sample(z=np.zeros((2, 3), np.float32))


def test_session_average_and_label_smoothing(tmp_path):
    r = Rig(g_average_decay=0.9, real_label=0.9)
    assert r.s.options["g_average_decay"] == pytest.approx(0.9)
    a0 = r.s.average_params()
    assert np.array_equal(a0, r.g.params)
    r.s.step()
    g1 = r.g.params
    assert np.allclose(r.s.average_params(), 0.9 * a0 + 0.1 * g1, rtol=1e-6, atol=1e-7)
    r.s.train(20)
    z = libgan.Rng(3).uniform((5, 4), -1, 1)
    avg = r.s.sample(z=z, average=True)
    assert not np.array_equal(avg, r.s.sample(z=z))
    path = tmp_path / "g.gan"
    r.s.save_generator(path)  # the average, since the session keeps one
    assert np.array_equal(libgan.Generator.load(path).forward(z), avg)
    r.s.save_generator(path, average=False)
    assert np.array_equal(libgan.Generator.load(path).forward(z), r.s.sample(z=z))
    plain = Rig()
    with pytest.raises(libgan.StateError):
        plain.s.sample(3, average=True)
    with pytest.raises(libgan.StateError):
        plain.s.average_params()
    with pytest.raises(libgan.InvalidArgumentError):
        Rig(real_label=0.3)


def test_session_r1_penalty(tmp_path):
    # The penalty changes D's step and the reported loss; it is kept in
    # checkpoints, and a session with another value refuses them.
    a, b = Rig(d_r1_gamma=0.5), Rig()
    assert a.s.options["d_r1_gamma"] == pytest.approx(0.5)
    a.s.step()
    b.s.step()
    assert not np.array_equal(a.d.params, b.d.params)
    path = tmp_path / "r1.ckpt"
    a.s.save(path)
    with pytest.raises(libgan.ShapeError, match="d_r1_gamma"):
        Rig(d_r1_gamma=0.25).s.load(path)
    Rig(d_r1_gamma=0.5).s.load(path)
    with pytest.raises(libgan.InvalidArgumentError, match="d_r1_gamma"):
        Rig(d_r1_gamma=-1.0)


def test_conditional_session():
    rng = libgan.Rng(1)
    toy = libgan.Toy("ring", modes=4, radius=2.0, std=0.05)
    data = libgan.Dataset.toy(toy, 200, rng).append_onehot(4)
    assert data.data.shape == (200, 6) and np.array_equal(data.data[:, 2:].sum(axis=1), np.ones(200))
    g = libgan.Net(4 + 4).add_dense(16, "relu").add_dense(2).init(rng, "glorot_uniform")
    d = libgan.Net(2 + 4).add_maxout(8, 2).add_dense(1, "sigmoid").init(rng, "glorot_uniform")
    s = libgan.Session(g, d, libgan.Optimizer(g, learning_rate=0.05),
                       libgan.Optimizer(d, learning_rate=0.05), data, batch_size=20,
                       noise_width=4, cond_width=4, threads=1)
    s.train(10)
    c = np.eye(4, dtype=np.float32)[[0, 1, 2, 3, 0]]
    z = libgan.Rng(2).uniform((5, 4), -1, 1)
    out = s.sample(z=z, c=c)
    assert np.array_equal(out, g.forward(np.hstack([z, c])))
    assert s.sample(c=c).shape == (5, 2)
    with pytest.raises(libgan.StateError):
        s.sample(5)
    masked = libgan.Dataset.toy(toy, 10, rng).append_masked([1, 0])
    assert np.array_equal(masked.data[:, 3], np.zeros(10, np.float32))
    with pytest.raises(libgan.InvalidArgumentError):
        libgan.Dataset.toy(toy, 10, rng).append_masked([1, 0.5])


def test_session_errors():
    r = Rig()
    with pytest.raises(libgan.InvalidArgumentError):
        libgan.Session(r.g, r.d, r.d_opt, r.g_opt, r.data)  # optimizers swapped
    with pytest.raises(libgan.ShapeError):
        libgan.Session(r.g, r.d, r.g_opt, r.d_opt, r.data, noise_width=3)
    with pytest.raises(TypeError):
        libgan.Session(r.g, r.d, r.g_opt, r.d_opt, r.data, bogus=1)
    with pytest.raises(libgan.InvalidArgumentError):
        libgan.Session(r.g, r.d, r.g_opt, r.d_opt, r.data, update_order="simultaneous", k=2)
    s = libgan.Session(r.g, r.d, r.g_opt, r.d_opt, r.data, g_loss="minimax", threads=1)
    assert s.options["g_loss"] == libgan.GLoss.MINIMAX


def test_callback_exception_propagates():
    r = Rig()

    class Boom(Exception):
        pass

    def progress(st):
        if st.iteration == 4:
            raise Boom("from the callback")

    with pytest.raises(Boom):
        r.s.train(50, progress=progress)
    assert r.s.iteration == 4
    r.s.train(2)
    assert r.s.iteration == 6


def test_interrupt_from_another_thread_raises_aborted():
    import threading
    r = Rig()
    started = threading.Event()
    t = threading.Thread(target=lambda: (started.wait(), r.s.interrupt()))
    t.start()
    with pytest.raises(libgan.AbortedError):
        r.s.train(10 ** 9, progress=lambda st: started.set())
    t.join()
    assert r.s.iteration >= 1
    r.s.train(1)


def test_parzen_and_evaluation(tmp_path):
    rng = libgan.Rng(4)
    samples = rng.normal((200, 3))
    x = rng.normal((50, 3))
    p = libgan.Parzen(samples)
    assert "200 samples x 3" in repr(p)
    rows, mean, se = p.log_likelihood(x, 0.5)
    assert rows.shape == (50,) and mean == pytest.approx(rows.mean()) and se > 0
    grid = libgan.paper_grid()
    assert grid.shape == (10,) and grid[0] == pytest.approx(0.1) and grid[-1] == pytest.approx(1.0)
    best, means = p.select_sigma(x)
    assert best in grid and means.shape == (10,)
    m, s = p.log_likelihood_sigmas(x, [0.5, 1.0])
    assert m[0] == pytest.approx(mean) and s[0] == pytest.approx(se)
    p.set_block_rows(7)
    assert p.log_likelihood(x, 0.5)[1] == pytest.approx(mean, rel=1e-6)
    with pytest.raises(libgan.InvalidArgumentError):
        p.log_likelihood(x, -1.0)
    idx, d = libgan.nearest_neighbors(samples[[5, 17]] + 1e-4, samples)
    assert idx.tolist() == [5, 17] and np.all(d < 1e-6)
    z = libgan.interpolate(np.array([[0, 0], [1, 2]], np.float32), 4)
    assert z.shape == (5, 2) and np.allclose(z[2], [0.5, 1.0])
    png = tmp_path / "g.png"
    libgan.png_write_grid(png, rng.uniform((6, 4, 5)), 2, 3, 4, 5,
                          last_column=rng.uniform((2, 20)))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError):
        libgan.png_write_grid(png, rng.uniform((5, 20)), 2, 3, 4, 5)
    loss, gr, gf = libgan.loss_d(np.zeros(4), np.zeros(3))
    assert loss == pytest.approx(2 * np.log(2)) and gr.shape == (4,) and gf.shape == (3,)
    lg, gg = libgan.loss_g(np.zeros(3), "minimax")
    assert lg == pytest.approx(-np.log(2))


def test_softmax_cross_entropy():
    logits = np.array([[2.0, -1.0, 0.5], [-80.0, 80.0, 0.0]], np.float32)
    labels = np.array([0, 2])
    loss, grad = libgan.loss_softmax_cross_entropy(logits, labels)
    a = logits.astype(np.float64)
    lse = a.max(1) + np.log(np.exp(a - a.max(1, keepdims=True)).sum(1))
    assert loss == pytest.approx(np.mean(lse - a[[0, 1], labels]), rel=1e-12)
    p = libgan.softmax(logits)
    assert np.allclose(p.sum(1), 1.0) and p.shape == logits.shape
    onehot = np.eye(3)[labels]
    assert np.allclose(grad, (p - onehot) / 2, atol=1e-7)
    with pytest.raises(libgan.InvalidArgumentError, match=r"labels\[1\] is 3"):
        libgan.loss_softmax_cross_entropy(logits, [0, 3])
    with pytest.raises(libgan.InvalidArgumentError, match=r"labels\[0\] is -1"):
        libgan.loss_softmax_cross_entropy(logits, np.array([-(2 ** 40), 0]))
    with pytest.raises(libgan.InvalidArgumentError, match=r"row 1, class 0"):
        libgan.loss_softmax_cross_entropy(np.array([[0, 0], [np.nan, 0]], np.float32), [0, 0])
    with pytest.raises(libgan.ShapeError):
        libgan.loss_softmax_cross_entropy(logits, [0, 1, 2])
    with pytest.raises(TypeError):
        libgan.loss_softmax_cross_entropy(logits, [0.0, 1.0])


def test_update_steps():
    r = Rig()
    real = r.data.data[:8]
    fake = r.g.forward(r.rng.uniform((8, 4), -1, 1))
    st = libgan.update_d(r.d, r.d_opt, real, fake, r.rng)
    assert np.isfinite(st.d_loss) and np.isnan(st.g_loss)
    st = libgan.update_g(r.g, r.g_opt, r.d, r.rng.uniform((8, 4), -1, 1), r.rng)
    assert np.isfinite(st.g_loss)
    with pytest.raises(libgan.ShapeError):
        libgan.update_d(r.d, r.d_opt, real, fake[:4], r.rng)


def test_log_handler():
    got = []
    libgan.set_log_handler(lambda level, msg: got.append((level, msg)), libgan.LogLevel.DEBUG)
    try:
        with pytest.raises(libgan.Error):
            libgan.Rng(1).uniform(2, 1.0, 0.0)
    finally:
        libgan.set_log_handler(None)
    assert got and got[0][0] == libgan.LogLevel.ERROR and "gan_rng_uniform" in got[0][1]


def test_library_of_another_abi_or_version_is_refused():
    from libgan import _loader

    class Fake:
        pass

    def fake(abi, version):
        f = Fake()
        f.gan_abi_version = lambda: abi
        f.gan_version_string = lambda: version
        return f

    with pytest.raises(ImportError, match="ABI version 99"):
        _loader.check(fake(99, b"0.1.0"), "fake.so")
    with pytest.raises(ImportError, match="older"):
        _loader.check(fake(_loader.ABI_VERSION, b"0.0.9"), "fake.so")
    with pytest.raises(ImportError, match="no gan_abi_version"):
        _loader.check(Fake(), "old.so")
    lib, _ = _loader.check(fake(_loader.ABI_VERSION, b"0.1.3"), "fake.so")


def test_unloadable_library_path_says_so(tmp_path):
    import subprocess
    import sys
    env = dict(os.environ, LIBGAN_LIBRARY=str(tmp_path / "nope.so"),
               PYTHONPATH=os.path.dirname(os.path.dirname(libgan.__file__)))
    p = subprocess.run([sys.executable, "-c", "import libgan"], env=env, capture_output=True,
                       text=True)
    assert p.returncode != 0 and "LIBGAN_LIBRARY=" in p.stderr and "nope.so" in p.stderr
