"""A minimal PNG writer (8-bit RGB, no interlace) and a diverging colour map for statistic maps,
so that the examples need nothing beyond NumPy. PNG layout from the W3C PNG specification
(Portable Network Graphics, Third Edition): signature, IHDR, IDAT (zlib stream of scanlines, each
prefixed with filter type 0), IEND; every chunk is length, type, data, CRC-32 of type + data.
"""

from __future__ import annotations

import struct
import zlib
from typing import Optional

import numpy as np


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png(path: str, rgb: np.ndarray) -> None:
    """Writes an [height, width, 3] uint8 array as a PNG file."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError("write_png needs an [height, width, 3] array")
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[r].tobytes() for r in range(h))
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8 bits, colour type 2 (RGB)
    data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def diverging(t: np.ndarray, limit: float) -> np.ndarray:
    """Blue (negative) - white (0) - red (positive), saturating at +-limit; NaN -> light grey."""
    x = np.clip(np.nan_to_num(t, nan=0.0) / max(limit, 1e-12), -1.0, 1.0)
    rgb = np.empty(t.shape + (3,), dtype=np.float64)
    pos, neg = np.clip(x, 0, 1), np.clip(-x, 0, 1)
    rgb[..., 0] = 1.0 - neg * 0.85
    rgb[..., 1] = 1.0 - pos * 0.85 - neg * 0.55
    rgb[..., 2] = 1.0 - pos * 0.85
    rgb[np.isnan(t)] = 0.85
    return (rgb * 255 + 0.5).astype(np.uint8)


def statistic_figure(t: np.ndarray, significant: Optional[np.ndarray] = None, limit: Optional[float] = None,
                     scale: int = 10) -> np.ndarray:
    """The statistic map as an RGB picture, row 0 (the heel) at the bottom, each pixel drawn as a
    scale x scale block; pixels in ``significant`` outlined in black; a colour bar on the right
    running from -limit (bottom) to +limit (top)."""
    lim = limit if limit is not None else float(np.nanmax(np.abs(t))) if np.isfinite(t).any() else 1.0
    img = diverging(t, lim)
    big = np.repeat(np.repeat(img, scale, axis=0), scale, axis=1)
    if significant is not None:
        sig = np.repeat(np.repeat(significant.astype(bool), scale, axis=0), scale, axis=1)
        edge = np.zeros_like(sig)
        edge[1:, :] |= sig[1:, :] != sig[:-1, :]
        edge[:, 1:] |= sig[:, 1:] != sig[:, :-1]
        big[edge] = 0
    big = big[::-1]  # heel at the bottom, toes at the top
    h = big.shape[0]
    bar = diverging(np.linspace(lim, -lim, h)[:, None].repeat(2 * scale, axis=1), lim)
    gap = np.full((h, scale, 3), 255, dtype=np.uint8)
    return np.concatenate([big, gap, bar], axis=1)
