#!/usr/bin/env python3
"""Frame rate and frame-to-screen latency of the clinic app's live view in headless Chromium.

Usage: app_live.py path/to/insole [seconds=12] [rate_hz=100]

Starts `insole serve --sim-rate RATE` on a temporary data directory and a free loopback port,
opens the app in headless Chromium (Debian's chromium, chromium-driver, python3-selenium),
creates a patient and a visit as a person would, and starts a *Preview* of the simulated walkway
(96 x 480 sensels, paced in real time at RATE frames/s). After a 2 s warm-up it measures for
SECONDS in the page (window.insoleLive, app/web/app.js), all on this machine's wall clock:
  - input: frames the server received per second (the capture's own count);
  - messages: live messages the page received per second;
  - drawn: frames painted per second (one per animation frame at most);
  - latency from a frame's arrival at the server to the animation frame after it was drawn
    (median, p95, max), split into server (arrival -> message sent), transport (sent -> received
    by the page) and page (received -> painted);
  - the live message's size.
Prints figures only; the aims (>= 25 frames/s, <= 100 ms at 100 Hz) are in docs/performance.md.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import Select, WebDriverWait


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))]


def main(cli, seconds, rate):
    data = tempfile.mkdtemp(prefix="insole_bench_app_")
    server = subprocess.Popen([cli, "serve", "--data", os.path.join(data, "clinic"), "--port", "0",
                               "--sim-rate", str(rate)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    driver = None
    try:
        line = server.stdout.readline()
        m = re.search(r"open (http://127\.0\.0\.1:\d+/)", line)
        if not m:
            sys.exit("app_live: insole serve did not print its address: %r" % line)
        url = m.group(1)
        opts = webdriver.ChromeOptions()
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
            opts.add_argument(a)
        driver = webdriver.Chrome(options=opts, service=Service(executable_path=shutil.which("chromedriver")))
        wait = WebDriverWait(driver, 60, ignored_exceptions=(StaleElementReferenceException,))
        driver.get(url)
        wait.until(EC.visibility_of_element_located((By.ID, "patients-view")))
        driver.find_element(By.ID, "new-pseudonym").send_keys("P-BENCH-1")
        driver.find_element(By.ID, "create-patient").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "patient-name"), "P-BENCH-1"))
        driver.find_element(By.NAME, "condition").send_keys("barefoot")
        driver.find_element(By.ID, "new-visit").click()
        wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "a.live-link"))).click()
        wait.until(EC.visibility_of_element_located((By.ID, "live-view")))
        source = Select(driver.find_element(By.ID, "source"))
        walk = [o for o in source.options if "walking on a mat (normal" in o.text]
        if not walk:
            sys.exit("app_live: no simulator walkway offered: %s" % [o.text for o in source.options])
        uri = walk[0].get_attribute("value")
        source.select_by_value(uri)
        driver.find_element(By.ID, "preview").click()
        wait.until(lambda d: d.execute_script("return window.insoleLive.painted") >= 10)
        time.sleep(2.0)  # warm-up: the first chunks of the simulation, the canvas' first layout

        # One measuring window: counts and the capture's own frame count at both ends.
        snap = ("const l = window.insoleLive;"
                "return [l.received, l.painted, l.samples.length, performance.now(), l.input_frames];")
        r0, p0, n0, t0, in0 = driver.execute_script(snap)
        time.sleep(seconds)
        r1, p1, n1, t1, in1 = driver.execute_script(snap)
        # The page keeps at most 20 000 samples (far more than a measuring window holds).
        samples = driver.execute_script("return window.insoleLive.samples.slice(%d, %d);" % (n0, n1))
        size = driver.execute_script("return window.insoleLive.bytes")
        driver.find_element(By.ID, "stop").click()
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live-finished"))

        span = (t1 - t0) / 1000.0
        input_hz = (in1 - in0) / span
        total = [s[3] - s[0] for s in samples]
        server_ms = [s[1] - s[0] for s in samples]
        transport_ms = [s[2] - s[1] for s in samples]
        page_ms = [s[3] - s[2] for s in samples]
        print("app live view: %s, Chromium headless, %d cores, %.1f s measured" % (uri.split("?")[0], os.cpu_count(), span))
        print("  input (set %d Hz): %.1f frames/s received by the server" % (rate, input_hz))
        print("  messages: %.1f /s received by the page; drawn: %.1f frames/s   (aim >= 25)" % ((r1 - r0) / span, (p1 - p0) / span))
        print("  drawn / input: %.2f" % ((p1 - p0) / span / input_hz if input_hz else float("nan")))
        if total:
            print("  latency arrival -> painted (%d frames): median %.1f ms, p95 %.1f ms, max %.1f ms   (aim <= 100)"
                  % (len(total), statistics.median(total), pct(total, 0.95), max(total)))
            for name, v in (("server (arrival -> sent)", server_ms), ("transport (sent -> page)", transport_ms),
                            ("page (received -> painted)", page_ms)):
                print("    %-27s median %.1f ms, p95 %.1f ms" % (name, statistics.median(v), pct(v, 0.95)))
        if size:
            print("  live message: %d bytes of JSON" % size)
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 12.0, int(sys.argv[3]) if len(sys.argv) > 3 else 100)
