#!/usr/bin/python3
"""Writes a valid insole recording (HDF5 format version 1) with h5py, following docs/format.md.

Usage: /usr/bin/python3 write_fixture_h5py.py OUT.h5

The io tests run this script and check that the toolkit reads exactly these values, so it is both
the documentation's example and an interoperability test.
"""
import sys

import h5py
import numpy as np


def main(path):
    with h5py.File(path, "w") as f:
        # Required file attributes.
        f.attrs["format"] = "insole"
        f.attrs["format_version"] = 1
        # Optional recording metadata.
        f.attrs["mode"] = "walk"
        f.attrs["created_by"] = "write_fixture_h5py.py"
        subject = f.create_group("subject")
        subject.attrs["pseudonym"] = "S-01"
        subject.attrs["body_mass_kg"] = 68.0
        f.create_group("metadata").attrs["site"] = "gait lab"

        # track_order keeps the streams in the order they are created.
        streams = f.create_group("streams", track_order=True)

        # A 4 x 3 pressure mat sampled at 50 Hz: pressure[frame, row, col] in kPa.
        mat = streams.create_group("mat")
        mat.attrs["kind"] = "grid"
        mat.attrs["side"] = "both"
        mat.attrs["units"] = "kPa"
        mat.attrs["sample_rate_hz"] = 50.0
        mat.attrs["device"] = "h5py example mat"
        mat.attrs["pitch_mm"] = np.array([8.0, 5.0])  # [row pitch, column pitch]
        n = 10
        mat.create_dataset("time_s", data=np.arange(n) / 50.0)  # float64 seconds
        frame, row, col = np.meshgrid(np.arange(n), np.arange(4), np.arange(3), indexing="ij")
        pressure = (frame * 10 + row * 3 + col).astype(np.float32)
        pressure[:, 0, 0] = np.nan  # a corner without a sensel
        mat.create_dataset("pressure", data=pressure, chunks=(5, 4, 3), compression="gzip")

        # A left insole with 5 sensors at 100 Hz: pressure[frame, sensor] in kPa.
        left = streams.create_group("left")
        left.attrs["kind"] = "sensors"
        left.attrs["side"] = "left"
        left.attrs["units"] = "kPa"
        left.attrs["sample_rate_hz"] = 100.0
        left.attrs["device"] = "h5py example insole"
        m = 20
        left.create_dataset("time_s", data=0.005 + np.arange(m) / 100.0)
        frame, sensor = np.meshgrid(np.arange(m), np.arange(5), indexing="ij")
        left.create_dataset("pressure", data=(frame + 0.25 * sensor).astype(np.float32))
        # Sensor centres in the foot's frame (x towards the subject's right, y heel -> toe), mm.
        xy = np.array([[20, 30], [35, 30], [25, 120], [40, 180], [30, 230]], dtype=np.float32)
        left.create_dataset("sensor_xy_mm", data=xy)
        left.create_dataset("sensor_area_mm2", data=np.full(5, 150.0, dtype=np.float32))
        left.create_group("metadata").attrs["firmware"] = "1.2.3"

        # Optional events (strings may be variable or fixed length).
        events = f.create_group("events")
        events.create_dataset("time_s", data=np.array([0.05, 0.12]))
        text = h5py.string_dtype()
        events.create_dataset("stream", data=["left", "left"], dtype=text)
        events.create_dataset("kind", data=["heel_strike", "toe_off"], dtype=text)
        events.create_dataset("detail", data=["", "from the vendor file"], dtype=text)


if __name__ == "__main__":
    main(sys.argv[1])
