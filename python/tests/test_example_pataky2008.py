"""The worked example (python/examples/pataky2008.py, docs/example-pataky2008.md) on the published
SpeedPP2D data (Pataky et al. 2008, J Biomech 41:1987), read in place from the shared data; skips
when they are absent. Every other trial (30 per subject) keeps it near 20 s; the group test is
exact (all 1024 sign flips).

The directions checked are those the authors published (SOURCE.txt of the data set): peak pressure
rises with walking speed over the rearfoot and the distal forefoot / hallux, and falls over the
medial proximal forefoot (and the midfoot, which this analysis does not find significant; see the
doc). The test asserts the directions found in named regions, not the figures of a previous run.
"""

import pathlib
import sys

import numpy as np
import pytest

from insole import stats

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))
import pataky2008  # noqa: E402

DATA = stats.shared_data_dir() / "pataky2008_speedpp2d"
MUN104 = stats.shared_data_dir() / "mun104" / "MUN104R.csv"


@pytest.mark.skipif(not (DATA / "data_y").is_dir() or not MUN104.exists(),
                    reason=f"shared data not available: {DATA}, {MUN104}")
def test_pataky2008_directions(tmp_path):
    out = pataky2008.run(DATA, tmp_path, trials=30, permutations=1024, subject_permutations=200, verbose=False)
    res = out["result"]
    assert res.exact and res.permutations == 1024 and res.n == 10 and res.df == 9

    def significant(sign, regions):
        return [c for c in res.clusters_max if c.sign == sign and c.region in regions and c.p_fwe < 0.05]

    # Positive: rearfoot and hallux.
    assert significant(+1, {"hindfoot"}), res.clusters_max
    assert significant(+1, {"hallux"}), res.clusters_max
    # Negative: the medial proximal forefoot (first to third metatarsal heads).
    assert significant(-1, {"mth1", "mth2", "mth3"}), res.clusters_max
    # And never the other way round in those regions.
    by = out["by_region"]
    assert by["hindfoot"]["significant_negative"] == 0 and by["hallux"]["significant_negative"] == 0
    for r in ("mth2", "mth3"):
        assert by[r]["significant_positive"] == 0
    assert by["hindfoot"]["mean_slope_kpa_per_m_s"] > 0 and by["hallux"]["mean_slope_kpa_per_m_s"] > 0
    # Within-subject registration is small (the trials are nearly aligned) and good.
    for s in out["per_subject"]:
        assert s["median_angle_deg"] < 5.0 and s["median_dice"] > 0.8
    # The figure and the results file were written.
    png = (tmp_path / "pataky2008_t.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "pataky2008_spm.h5", "r") as f:
        np.testing.assert_allclose(f["spm/statistic"][()], res.statistic.values, equal_nan=True)


def test_png_writer_round_trip(tmp_path):
    # The example's own PNG writer, read back by the layout of the PNG specification: signature,
    # chunks with CRC-32 over type + data, IHDR (width, height, 8-bit RGB), the zlib IDAT of
    # filter-0 scanlines, IEND.
    import struct
    import zlib

    from figure_png import statistic_figure, write_png

    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (7, 5, 3), dtype=np.uint8)
    path = tmp_path / "x.png"
    write_png(str(path), rgb)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks.append((kind, body))
        pos += 12 + n
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    assert struct.unpack(">IIBBBBB", chunks[0][1]) == (5, 7, 8, 2, 0, 0, 0)
    raw = zlib.decompress(chunks[1][1])
    rows = [raw[r * 16:(r + 1) * 16] for r in range(7)]
    assert all(row[0] == 0 for row in rows)
    np.testing.assert_array_equal(np.frombuffer(b"".join(row[1:] for row in rows), np.uint8).reshape(7, 5, 3), rgb)
    # The statistic figure: positive red, negative blue, NaN grey, heel row at the bottom. At the
    # limit, red = (1, 1 - 0.85, 1 - 0.85) and blue = (1 - 0.85, 1 - 0.55, 1) of 255, rounded down
    # after + 0.5: 0.15 * 255 + 0.5 = 38.75 -> 38, 0.45 * 255 + 0.5 = 115.25 -> 115; grey
    # 0.85 * 255 + 0.5 = 217.25 -> 217.
    t = np.array([[4.0, np.nan], [-4.0, 0.0]])
    fig = statistic_figure(t, limit=4.0, scale=1)
    assert tuple(fig[1, 0]) == (255, 38, 38) and tuple(fig[0, 0]) == (38, 115, 255)
    assert tuple(fig[1, 1]) == (217, 217, 217) and tuple(fig[0, 1]) == (255, 255, 255)
    with pytest.raises(ValueError):
        write_png(str(path), np.zeros((3, 3)))
