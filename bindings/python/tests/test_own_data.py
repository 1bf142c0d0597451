"""Own data and generator files through the binding: NPY, CSV, PNG
folders and CIFAR-10 files in (with contrast normalisation), a generator
file out and sampled back."""
import struct
import zlib

import numpy as np
import pytest

import libgan


def write_png_rgb(path, img):
    """A plain 8-bit RGB PNG of img (h x w x 3, values in [0, 1])."""
    h, w, _ = img.shape
    raw = b"".join(b"\x00" + bytes(row) for row in np.rint(img * 255).astype(np.uint8).reshape(h, -1))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_npy_round_trip(tmp_path):
    x = np.arange(12, dtype=np.float64).reshape(3, 2, 2) / 11.0
    np.save(tmp_path / "x.npy", x)
    with libgan.Dataset.load_npy(tmp_path / "x.npy") as ds:
        assert ds.shape == (3, 4)
        np.testing.assert_array_equal(ds.data, x.reshape(3, 4).astype(np.float32))
    np.save(tmp_path / "f.npy", np.asfortranarray(np.ones((2, 3), np.float32)))
    with pytest.raises(libgan.FormatError, match="Fortran"):
        libgan.Dataset.load_npy(tmp_path / "f.npy")
    with pytest.raises(libgan.FileError):
        libgan.Dataset.load_npy(tmp_path / "missing.npy")


def test_csv_with_header_and_labels(tmp_path):
    (tmp_path / "d.csv").write_text("label,a,b\n1,0.5,0.25\n0,1,2\n")
    with libgan.Dataset.load_csv(tmp_path / "d.csv", header=True, label_column=0) as ds:
        np.testing.assert_array_equal(ds.data, np.array([[0.5, 0.25], [1, 2]], np.float32))
        np.testing.assert_array_equal(ds.labels, np.array([1, 0], np.int32))
    (tmp_path / "bad.csv").write_text("1,2\n3,x\n")
    with pytest.raises(libgan.FormatError, match="line 2"):
        libgan.Dataset.load_csv(tmp_path / "bad.csv")


def test_png_folder_and_rgb_grid(tmp_path):
    rgb = np.random.default_rng(1).random((2, 3, 4, 3), dtype=np.float32)
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(2):
        write_png_rgb(folder / ("%d.png" % i), rgb[i])
    with libgan.Dataset.load_png_dir(folder) as ds:
        assert ds.shape == (2, 3 * 4 * 3)
        # 8-bit PNG: values come back within half a step of 1/255.
        assert np.max(np.abs(ds.data - rgb.reshape(2, -1))) <= 0.5 / 255 + 1e-6
        with ds.scaled("symmetric") as sym:
            np.testing.assert_allclose(sym.data, 2 * ds.data - 1, atol=1e-6)
        libgan.png_write_grid_rgb(tmp_path / "grid.png", ds.data, 1, 2, 3, 4)
        assert (tmp_path / "grid.png").stat().st_size > 0


def test_cifar10_gcn_and_chw_grid(tmp_path):
    rng = np.random.default_rng(2)
    files = []
    for n in (2, 3):
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        pixels = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        path = tmp_path / ("data_batch_%d.bin" % n)
        path.write_bytes(np.concatenate([labels[:, None], pixels], axis=1).tobytes())
        files.append((path, labels, pixels))
    with libgan.Dataset.load_cifar10([f[0] for f in files]) as ds:
        assert ds.shape == (5, 3072)
        np.testing.assert_array_equal(ds.labels, np.concatenate([f[1] for f in files]))
        want = np.concatenate([f[2] for f in files]).astype(np.float32) / np.float32(255)
        np.testing.assert_array_equal(ds.data, want)
        with ds.gcn(scale=55) as g:
            y = want.astype(np.float64)
            y -= y.mean(axis=1, keepdims=True)
            y /= np.sqrt((y ** 2).sum(axis=1, keepdims=True)) / 55
            np.testing.assert_allclose(g.data, y, rtol=1e-5, atol=1e-5)
            np.testing.assert_array_equal(g.labels, ds.labels)
        libgan.png_write_grid_chw(tmp_path / "grid.png", ds.data[:4], 2, 2, 32, 32)
        assert (tmp_path / "grid.png").stat().st_size > 0
    with libgan.Dataset.load_cifar10(files[0][0]) as one:
        assert one.shape == (2, 3072)
    (tmp_path / "cut.bin").write_bytes(b"\0" * 3074)
    with pytest.raises(libgan.FormatError, match="3074 bytes"):
        libgan.Dataset.load_cifar10(tmp_path / "cut.bin")
    with pytest.raises(libgan.InvalidArgumentError, match="n_paths"):
        libgan.Dataset.load_cifar10([])
    with libgan.Dataset.load_cifar10(files[0][0]) as one:
        with pytest.raises(libgan.InvalidArgumentError, match="scale"):
            one.gcn(scale=0)


def test_generator_file_round_trip(tmp_path, rig):
    g = rig.g
    path = tmp_path / "g.gan"
    libgan.save_generator(g, path, noise_kind="normal", noise_scale=0.5)
    with libgan.Generator.load(path) as gen:
        assert gen.noise_width == g.input_width and gen.output_width == g.output_width
        assert gen.options["noise_scale"] == 0.5
        a = gen.sample(5, libgan.Rng(3))
        b = gen.sample(5, libgan.Rng(3))
        np.testing.assert_array_equal(a, b)
        z = gen.noise(5, libgan.Rng(3))
        np.testing.assert_array_equal(gen.forward(z), a)
        np.testing.assert_array_equal(g.forward(z), a)
        assert "noise normal" in repr(gen)
    # A plain net file loads with the default prior.
    g.save(tmp_path / "plain.net")
    with libgan.Generator.load(tmp_path / "plain.net") as gen:
        assert gen.options["noise_scale"] == 1.0
    with pytest.raises(libgan.ShapeError):
        libgan.Generator(g, noise_width=g.input_width + 1)
    with pytest.raises(ValueError):
        libgan.Generator(g, output_scaling="sideways")
