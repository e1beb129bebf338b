#!/usr/bin/env python3
"""The clinic app end to end in headless Chromium (scripts/test-browser.sh).

Starts `insole serve --data <temp> --port 0` (loopback), then as a podiatrist would: creates a
patient, fills the intake, opens a visit, records a walking trial from the simulator source while
checking that live frames arrive in the page, stops it, opens the results, downloads the PDF
report and checks its text. Each main screen is saved as a screenshot. Waits are on what the page
shows (with generous upper bounds), never fixed sleeps, so the verdict does not depend on speed.
"""
import os
import re
import signal
import shutil
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

PSEUDONYM = "P-BROWSER-7"


def non_loopback_address():
    """This computer's address on its network (no packet is sent), or None."""
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))
        addr = s.getsockname()[0]
        return None if addr.startswith("127.") else addr
    except OSError:
        return None
    finally:
        s.close()


def login_check(cli, driver, wait, data, shots):
    """Beyond loopback the app asks for the clinic password set with --set-password: the page
    leads to the login form, a wrong password is refused, the right one opens the app."""
    addr = non_loopback_address()
    if addr is None:
        print("test-browser: no non-loopback address; clinic password login not tried")
        return
    clinic = os.path.join(data, "guarded")
    r = subprocess.run([cli, "serve", "--data", clinic, "--bind", addr, "--port", "0"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--set-password" in r.stderr, (r.returncode, r.stderr)
    r = subprocess.run([cli, "serve", "--data", clinic, "--set-password"], input="a browser password\na browser password\n",
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    server = subprocess.Popen([cli, "serve", "--data", clinic, "--bind", addr, "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        m = re.search(r"open (http://\S+/)", server.stdout.readline())
        assert m, "the guarded server did not print its address"
        url = m.group(1)
        assert "token=" not in url, url
        driver.get(url)
        wait.until(EC.visibility_of_element_located((By.ID, "password")))
        assert driver.current_url.endswith("/login"), driver.current_url
        driver.find_element(By.ID, "password").send_keys("not the password")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        try:
            wait.until(EC.text_to_be_present_in_element((By.ID, "login-message"), "Wrong password"))
        except Exception:
            raise AssertionError("no 'Wrong password' after a wrong password: %s" % driver.page_source[:2000])
        driver.find_element(By.ID, "password").send_keys("a browser password")
        driver.save_screenshot(os.path.join(shots, "6-login.png"))
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(EC.visibility_of_element_located((By.ID, "patients-view")))
        # The session cookie is not readable by scripts (HttpOnly).
        assert "insole_session" not in driver.execute_script("return document.cookie"), "session cookie visible to scripts"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def main(cli, shots):
    os.makedirs(shots, exist_ok=True)
    data = tempfile.mkdtemp(prefix="insole_browser_")
    downloads = tempfile.mkdtemp(prefix="insole_downloads_")
    server = subprocess.Popen([cli, "serve", "--data", os.path.join(data, "clinic"), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    driver = None
    try:
        line = server.stdout.readline()
        m = re.search(r"open (http://127\.0\.0\.1:\d+/)", line)
        assert m, "insole serve did not print its address: %r %s" % (line, server.stderr.read() if server.poll() is not None else "")
        url = m.group(1)

        opts = webdriver.ChromeOptions()
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
            opts.add_argument(a)
        opts.add_experimental_option("prefs", {"download.default_directory": downloads,
                                               "download.prompt_for_download": False})
        service = Service(executable_path=shutil.which("chromedriver"))
        driver = webdriver.Chrome(options=opts, service=service)
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
        wait = WebDriverWait(driver, 60)

        # The patient list, then a new patient.
        driver.get(url)
        wait.until(EC.visibility_of_element_located((By.ID, "patients-view")))
        driver.save_screenshot(os.path.join(shots, "1-patients.png"))
        driver.find_element(By.ID, "new-pseudonym").send_keys(PSEUDONYM)
        driver.find_element(By.ID, "new-age").send_keys("47")
        driver.find_element(By.ID, "new-mass").send_keys("82.5")
        driver.find_element(By.ID, "create-patient").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "patient-name"), PSEUDONYM))

        # The intake: one symptom answered yes, saved, and read back after reloading the page.
        Select(driver.find_element(By.NAME, "symptoms.low_back_pain")).select_by_value("true")
        driver.find_element(By.ID, "save-intake").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "message"), "Intake saved"))
        driver.refresh()
        wait.until(EC.text_to_be_present_in_element((By.ID, "patient-name"), PSEUDONYM))
        assert Select(driver.find_element(By.NAME, "symptoms.low_back_pain")).first_selected_option.get_attribute("value") == "true"
        driver.save_screenshot(os.path.join(shots, "2-patient-intake.png"))

        # A visit, and its live capture page.
        driver.find_element(By.NAME, "condition").send_keys("barefoot")
        driver.find_element(By.ID, "new-visit").click()
        link = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "a.live-link")))
        link.click()
        wait.until(EC.visibility_of_element_located((By.ID, "live-view")))
        source = Select(driver.find_element(By.ID, "source"))
        walk = [o for o in source.options if "walking on a mat (normal" in o.text]
        assert walk, "no simulator source offered: %s" % [o.text for o in source.options]
        source.select_by_value(walk[0].get_attribute("value"))

        # Record a walking trial; live frames must arrive in the page.
        driver.find_element(By.ID, "record-walk").click()
        wait.until(lambda d: int(d.find_element(By.TAG_NAME, "body").get_attribute("data-live-frames") or 0) >= 10)
        force = driver.find_element(By.CSS_SELECTOR, ".stream .force").text
        assert "Total force" in force and " N" in force, force
        # Four seconds of simulated walking (a pass over the walkway, as data/walk_normal.h5).
        wait.until(lambda d: float(d.find_element(By.TAG_NAME, "body").get_attribute("data-live-elapsed") or 0) >= 4.5)
        driver.save_screenshot(os.path.join(shots, "3-live.png"))
        driver.find_element(By.ID, "stop").click()
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live-finished") == "ok")

        # Back to the patient: the trial is listed; its results.
        driver.find_element(By.ID, "back-to-patient").click()
        trial = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "a.trial-link")))
        trial.click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#measures tbody tr td")) > 3)
        rows = driver.find_elements(By.CSS_SELECTOR, "#measures tbody tr")
        text = " ".join(r.text for r in rows)
        assert "Arch index" in text or "arch index" in text.lower(), text
        wait.until(lambda d: d.execute_script("const i = document.getElementById('peak'); return i.complete && i.naturalWidth > 0;"))
        assert driver.find_elements(By.CSS_SELECTOR, "#findings li")
        driver.save_screenshot(os.path.join(shots, "4-results.png"))

        # Download the PDF report and read its text.
        driver.find_element(By.ID, "dl-pdf").click()
        pdf = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = [f for f in os.listdir(downloads) if f.endswith(".pdf")]
            if done:
                pdf = os.path.join(downloads, done[0])
                break
            time.sleep(0.2)
        assert pdf, "the PDF report was not downloaded"
        text = subprocess.run(["pdftotext", pdf, "-"], check=True, capture_output=True, text=True).stdout
        assert "Plantar pressure fitting report" in text, text[:500]
        assert PSEUDONYM in text, text[:500]
        # A demo device (an emulator on a pseudo-terminal, captured through the real driver):
        # unplugged mid-scan by the harness (SIGUSR1 to the server), the page says disconnected;
        # plugged back (SIGUSR2), frames resume into the same trial.
        driver.find_element(By.ID, "results-back").click()
        link = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "a.live-link")))
        link.click()
        wait.until(EC.visibility_of_element_located((By.ID, "live-view")))
        source = Select(driver.find_element(By.ID, "source"))
        demo = [o for o in source.options if o.text.startswith("Demo device m1616:")]
        assert demo, "no demo device offered: %s" % [o.text for o in source.options]
        source.select_by_value(demo[0].get_attribute("value"))
        body = lambda d: d.find_element(By.TAG_NAME, "body")
        driver.find_element(By.ID, "record-stand").click()
        wait.until(lambda d: body(d).get_attribute("data-live-device") == "connected"
                   and int(body(d).get_attribute("data-live-frames") or 0) >= 10)
        server.send_signal(signal.SIGUSR1)
        wait.until(lambda d: body(d).get_attribute("data-live-device") == "disconnected")
        state_text = driver.find_element(By.ID, "live-state").text
        assert "Device disconnected" in state_text, state_text
        assert not driver.find_elements(By.CSS_SELECTOR, "#live-streams .stream"), "the picture was not cleared"
        driver.save_screenshot(os.path.join(shots, "5-live-unplugged.png"))
        server.send_signal(signal.SIGUSR2)
        wait.until(lambda d: body(d).get_attribute("data-live-device") == "connected")
        wait.until(lambda d: driver.find_elements(By.CSS_SELECTOR, "#live-streams .stream"))
        assert "Recording" in driver.find_element(By.ID, "live-state").text
        driver.find_element(By.ID, "stop").click()
        wait.until(lambda d: body(d).get_attribute("data-live-finished") == "ok")
        driver.find_element(By.ID, "back-to-patient").click()
        wait.until(lambda d: any("stand" in a.text for a in d.find_elements(By.CSS_SELECTOR, "a.trial-link")))
        login_check(cli, driver, wait, data, shots)
        print("test-browser: ok (patient, intake, visit, live walk, results, PDF report, demo device unplugged and back,"
              " clinic password login); screenshots in", shots)
        return 0
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "build/browser-screenshots"))
