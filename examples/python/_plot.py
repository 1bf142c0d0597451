"""A scatter plot drawn into a numpy raster and written as a PNG through
libgan.png_write_grid (no plotting library needed)."""
import numpy as np

import libgan


def scatter_png(path, layers, size=400, extent=3.0):
    """layers: (points (n x 2), grey level in [0, 1], dot radius) drawn in
    order on a white square covering [-extent, extent]^2."""
    img = np.ones((size, size), np.float32)
    yy, xx = np.mgrid[-3:4, -3:4]
    for pts, grey, radius in layers:
        pts = np.asarray(pts, np.float64)
        col = np.round((pts[:, 0] + extent) / (2 * extent) * (size - 1)).astype(int)
        row = np.round((extent - pts[:, 1]) / (2 * extent) * (size - 1)).astype(int)
        for dy, dx in zip(yy.ravel(), xx.ravel()):
            if dy * dy + dx * dx > radius * radius:
                continue
            r, c = row + dy, col + dx
            ok = (r >= 0) & (r < size) & (c >= 0) & (c < size)
            img[r[ok], c[ok]] = grey
    img[size // 2, :] = np.minimum(img[size // 2, :], 0.85)  # axes
    img[:, size // 2] = np.minimum(img[:, size // 2], 0.85)
    libgan.png_write_grid(path, img.reshape(1, -1), 1, 1, size, size)
