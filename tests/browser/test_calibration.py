#!/usr/bin/env python3
"""Calibration in the clinic app's live capture, end to end in headless Chromium
(scripts/test-browser.sh runs it after test_app.py).

The clinic's calibration folder (DATA/calibrations) holds the calibration of the M1616 demo device
(serial number demo-m1616, as `insole calibrate compute --serial demo-m1616` would name it) and one
of another device with another number of sensels. As a podiatrist would: open a visit's live
capture, pick the M1616 demo device (an emulator on a pseudo-terminal, captured through the real
driver) and find its calibration preselected; pick the simulator and find none preselected and
the page saying so; preview the M1616 uncalibrated and see "counts (uncalibrated)"; choose the
other device's calibration by hand and see the capture refused with the reason; then choose the
M1616's own, record a standing scan of a few seconds, see kPa on the live view, stop, and find the
trial listed. The recorded file is then read back: units kPa, the counts kept beside, and every
pressure value equal to k times its count (the calibration is linear with no zero offset).
Waits are on what the page shows (generous upper bounds), never fixed sleeps.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from test_app import PageWait, choose_source, headless_chromium, start_server, stop_server

PSEUDONYM = "P-CALIB-3"
KPA_PER_COUNT = 0.25


def write_calibrations(folder):
    os.makedirs(folder, exist_ok=True)
    own = {"format": "insole-calibration", "format_version": 1, "device_serial": "demo-m1616", "stream": "",
           "method": "manual", "date": "2026-12-07", "source": "browser test: a stated linear factor",
           "model": "linear", "coefficients": [KPA_PER_COUNT], "residuals_kpa": [1.5, -2.0]}
    # Another device's calibration with a zero offset for 99 sensels: the M1616 has 256.
    other = dict(own, device_serial="INSOLE-99", date="2026-12-01", zero_counts=[0.0] * 99)
    for name, doc in (("demo-m1616.json", own), ("INSOLE-99.json", other)):
        with open(os.path.join(folder, name), "w") as f:
            json.dump(doc, f)


def body_attr(driver, name):
    return driver.find_element(By.TAG_NAME, "body").get_attribute(name)


def main(cli, shots):
    os.makedirs(shots, exist_ok=True)
    data = tempfile.mkdtemp(prefix="insole_browser_cal_")
    clinic = os.path.join(data, "clinic")
    write_calibrations(os.path.join(clinic, "calibrations"))
    server = driver = None
    try:
        server, url = start_server(cli, clinic)
        driver = headless_chromium(data)
        wait = PageWait(driver, 60)

        # A patient, a visit, and its live capture page.
        driver.get(url)
        wait.until(EC.visibility_of_element_located((By.ID, "patients-view")))
        driver.find_element(By.ID, "new-pseudonym").send_keys(PSEUDONYM)
        driver.find_element(By.ID, "new-mass").send_keys("72.5")
        driver.find_element(By.ID, "create-patient").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "patient-name"), PSEUDONYM))
        driver.find_element(By.NAME, "condition").send_keys("barefoot")
        driver.find_element(By.ID, "new-visit").click()
        wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "a.live-link"))).click()
        wait.until(EC.visibility_of_element_located((By.ID, "live-view")))

        # The calibrations offered: both files, described by device, date and method.
        calibration = lambda: Select(driver.find_element(By.ID, "calibration"))
        offered = [o.text for o in calibration().options]
        assert offered[0] == "none", offered
        assert any("device demo-m1616" in o and "2026-12-07" in o and "manual" in o and "(demo-m1616.json)" in o for o in offered), offered
        assert any("(INSOLE-99.json)" in o for o in offered), offered

        # The M1616's serial number matches its file: preselected. The simulator has none.
        hint = lambda: driver.find_element(By.ID, "calibration-hint").text
        choose_source(driver, "Demo device m1616:")
        assert calibration().first_selected_option.get_attribute("value") == "demo-m1616.json"
        assert "matches this device (serial number demo-m1616)" in hint(), hint()
        choose_source(driver, "walking on a mat (normal")
        assert calibration().first_selected_option.get_attribute("value") == ""
        assert hint().startswith("Uncalibrated: no calibration file for this source"), hint()
        choose_source(driver, "Demo device m1616:")
        assert calibration().first_selected_option.get_attribute("value") == "demo-m1616.json"

        # Uncalibrated, the M1616 shows its counts and says so.
        calibration().select_by_value("")
        assert hint().startswith("Uncalibrated"), hint()
        driver.find_element(By.ID, "preview").click()
        wait.until(lambda d: int(body_attr(d, "data-live-frames") or 0) >= 5 and body_attr(d, "data-live-units") == "counts")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#live-streams .stream .units"))
        units = driver.find_element(By.CSS_SELECTOR, "#live-streams .stream .units").text
        assert units == "Values: counts (uncalibrated)", units
        force = driver.find_element(By.CSS_SELECTOR, "#live-streams .stream .force").text
        assert "not known from uncalibrated counts" in force, force
        driver.save_screenshot(os.path.join(shots, "9-live-uncalibrated.png"))
        driver.find_element(By.ID, "stop").click()
        wait.until(lambda d: body_attr(d, "data-live-finished") in ("ok", "failed"))

        # Another device's calibration, chosen by hand, does not fit: refused with the reason.
        calibration().select_by_value("INSOLE-99.json")
        assert "chosen by hand" in hint(), hint()
        driver.find_element(By.ID, "record-stand").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "message"), "Could not start"))
        message = driver.find_element(By.ID, "message").text
        assert "does not fit this source" in message and "zero_counts has 99 values" in message, message
        assert "error" in driver.find_element(By.ID, "message").get_attribute("class")

        # Its own calibration: a standing scan recorded in kPa.
        calibration().select_by_value("demo-m1616.json")
        driver.find_element(By.ID, "record-stand").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "message"), "Calibration: demo-m1616.json"))
        wait.until(lambda d: int(body_attr(d, "data-live-frames") or 0) >= 10 and body_attr(d, "data-live-units") == "kPa")
        wait.until(lambda d: float(body_attr(d, "data-live-elapsed") or 0) >= 3.0)
        units = driver.find_element(By.CSS_SELECTOR, "#live-streams .stream .units").text
        assert units == "Values: kPa, calibrated (device demo-m1616, 2026-12-07)", units
        force = driver.find_element(By.CSS_SELECTOR, "#live-streams .stream .force").text
        assert re.match(r"^Total force \d+ N", force), force
        assert "Recording" in driver.find_element(By.ID, "live-state").text
        driver.save_screenshot(os.path.join(shots, "10-live-calibrated.png"))
        driver.find_element(By.ID, "stop").click()
        wait.until(lambda d: body_attr(d, "data-live-finished") == "ok")

        # The trial is listed under the visit, and only that one (the refused start made none).
        driver.find_element(By.ID, "back-to-patient").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "a.trial-link"))
        trials = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "a.trial-link")]
        assert len(trials) == 1 and trials[0].endswith(": stand"), trials
        patient_id = driver.execute_script("return state.patient.id")
        with urllib.request.urlopen(url + "api/patients/%d" % patient_id, timeout=30) as r:
            patient = json.loads(r.read().decode())
        files = [t["file"] for v in patient["visits"] for t in v["trials"]]
        assert len(files) == 1, files
        recording = os.path.join(clinic, files[0])
        assert len([f for _, _, fs in os.walk(os.path.join(clinic, "recordings")) for f in fs if f.endswith(".h5")]) == 1

        # The file: kPa, with the counts beside, and pressure = k * counts value for value.
        env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "detect_leaks=0"))
        info = json.loads(subprocess.run([cli, "info", recording, "--json"], check=True, capture_output=True, text=True, env=env).stdout)
        assert [s["units"] for s in info["streams"]] == ["kPa"], info["streams"]
        stream = info["streams"][0]["name"]
        assert info["streams"][0]["frames"] >= 10, info["streams"][0]
        listing = subprocess.run(["h5ls", "-r", recording], check=True, capture_output=True, text=True).stdout
        assert "/streams/%s/calibration/raw_counts" % stream in listing, listing
        values = []
        for dataset in ("pressure", "calibration/raw_counts"):
            # h5dump -o writes the dataset's values alone (-y: without indices), comma separated.
            out = os.path.join(data, "values.txt")
            subprocess.run(["h5dump", "-d", "/streams/%s/%s" % (stream, dataset), "-y", "-w", "0", "-o", out, recording],
                           check=True, capture_output=True, text=True)
            with open(out) as f:
                values.append([float(x) for x in f.read().replace(",", " ").split()])
        # The first frames x sensels values are the recording's (a dataset may have grown by a chunk more).
        n = info["streams"][0]["frames"] * info["streams"][0]["sensels"]
        assert len(values[0]) >= n and len(values[1]) >= n, (n, len(values[0]), len(values[1]))
        pressure, counts = values[0][:n], values[1][:n]
        assert max(counts) > 0, "the device sent no load"
        for p, c in zip(pressure, counts):
            assert abs(p - KPA_PER_COUNT * c) <= 1e-4 * max(1.0, p), (p, c)
        print("test-browser (calibration): ok (calibration preselected by serial number, none for the simulator, "
              "counts shown uncalibrated, an unfitting calibration refused, a standing scan recorded in kPa with its "
              "%d counts kept; screenshots in %s)" % (len(counts), shots))
        return 0
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            stop_server(server)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "build/browser-screenshots"))
