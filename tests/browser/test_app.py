#!/usr/bin/env python3
"""The clinic app end to end in headless Chromium (scripts/test-browser.sh).

Starts `insole serve --data <temp> --port 0` (loopback), then as a podiatrist would: creates a
patient, fills the intake, opens a visit, records a walking trial from the simulator source while
checking that live frames arrive in the page, stops it, opens the results, downloads the PDF
report and checks its text. Then records a second visit (shoe with orthosis, the flat pronating
simulated foot), compares the two trials on the compare screen, checks the page's regional table
and target verdicts against the API document and against `insole compare --json` on the same
files, and downloads the comparison report. Each main screen is saved as a screenshot. Waits are on what the page
shows (with generous upper bounds), never fixed sleeps, so the verdict does not depend on speed.
"""
import base64
import json
import os
import re
import signal
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait

PSEUDONYM = "P-BROWSER-7"


class PageWait(WebDriverWait):
    """A wait that retries while the page is being replaced: a stale element, or Chromium's
    "Node with given id does not belong to the document" (a plain WebDriverException it raises
    while a new document replaces the old one). Any other driver error fails at once."""

    def __init__(self, driver, seconds):
        super().__init__(driver, seconds)

    def until(self, method, message=""):
        def guarded(driver):
            try:
                return method(driver)
            except StaleElementReferenceException:
                return False
            except WebDriverException as e:
                if "does not belong to the document" in str(e):
                    return False
                raise
        return super().until(guarded, message)


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
        # Submitting the form loads a new document: wait for the old one to go, then for the
        # new one to show the message (PageWait retries while the document is being replaced).
        nav_wait = PageWait(driver, 60)
        old_page = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        try:
            nav_wait.until(EC.staleness_of(old_page))
            nav_wait.until(EC.text_to_be_present_in_element((By.ID, "login-message"), "Wrong password"))
        except Exception:
            raise AssertionError("no 'Wrong password' after a wrong password: %s" % driver.page_source[:2000])
        nav_wait.until(EC.visibility_of_element_located((By.ID, "password"))).send_keys("a browser password")
        driver.save_screenshot(os.path.join(shots, "8-login.png"))
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        nav_wait.until(EC.visibility_of_element_located((By.ID, "patients-view")))
        # The session cookie is not readable by scripts (HttpOnly).
        assert "insole_session" not in driver.execute_script("return document.cookie"), "session cookie visible to scripts"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def wait_download(downloads, prefix, suffix, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = [f for f in os.listdir(downloads) if f.startswith(prefix) and f.endswith(suffix)]
        if done:
            return os.path.join(downloads, done[0])
        time.sleep(0.2)
    raise AssertionError("no %s*%s was downloaded: %s" % (prefix, suffix, os.listdir(downloads)))


def number_in(cell):
    """The number of a table cell such as "+12.3 kPa" or "-20.0 %"."""
    m = re.match(r"^([+-]?\d+\.\d)\s", cell)
    assert m, "no number with a unit in %r" % cell
    return float(m.group(1))


def choose_source(driver, label):
    """Chooses the live source whose label contains `label`, as a person picks it in the list."""
    source = Select(driver.find_element(By.ID, "source"))
    match = [o for o in source.options if label in o.text]
    assert match, "no source '%s' offered: %s" % (label, [o.text for o in source.options])
    source.select_by_value(match[0].get_attribute("value"))


def compare_visits(driver, wait, url, cli, data_dir, downloads, shots):
    """A second visit with a walk of another simulated foot, then the compare screen."""
    long_wait = PageWait(driver, 300)
    driver.find_element(By.ID, "results-back").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "patient-name"), PSEUDONYM))
    condition = driver.find_element(By.NAME, "condition")
    condition.clear()  # it still holds the first visit's "barefoot"
    condition.send_keys("shoe + orthosis")
    driver.find_element(By.ID, "new-visit").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "article.visit")) == 2)
    # The newest visit is listed first.
    driver.find_element(By.CSS_SELECTOR, "article.visit a.live-link").click()
    wait.until(EC.visibility_of_element_located((By.ID, "live-view")))
    choose_source(driver, "walking on a mat (flat, pronating")
    driver.find_element(By.ID, "record-walk").click()
    wait.until(lambda d: int(d.find_element(By.TAG_NAME, "body").get_attribute("data-live-frames") or 0) >= 10)
    wait.until(lambda d: float(d.find_element(By.TAG_NAME, "body").get_attribute("data-live-elapsed") or 0) >= 4.5)
    driver.find_element(By.ID, "stop").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live-finished") == "ok")
    driver.find_element(By.ID, "back-to-patient").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "a.trial-link")) == 2)
    # Each trial took its visit's condition (newest visit first).
    conditions = [Select(s).first_selected_option.get_attribute("value")
                  for s in driver.find_elements(By.CSS_SELECTOR, "select.trial-condition")]
    assert conditions == ["shoe_orthosis", "barefoot"], conditions

    # The compare screen, driven from the keyboard: A = the first trial, B = the second (the
    # defaults), the metatarsal dome stated as fitted, then Enter on the Compare button.
    driver.find_element(By.ID, "compare-link").click()
    wait.until(EC.visibility_of_element_located((By.ID, "compare-view")))
    a_id = Select(driver.find_element(By.ID, "compare-a")).first_selected_option.get_attribute("value")
    b_id = Select(driver.find_element(By.ID, "compare-b")).first_selected_option.get_attribute("value")
    assert a_id != b_id, (a_id, b_id)
    assert "shoe with orthosis" in Select(driver.find_element(By.ID, "compare-b")).first_selected_option.text
    dome = driver.find_element(By.ID, "fitted-R-MET-PAD")
    dome.send_keys(Keys.SPACE)
    assert dome.is_selected()
    driver.find_element(By.ID, "compare-run").send_keys(Keys.ENTER)
    long_wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-compare") == "ready")
    long_wait.until(lambda d: d.execute_script("const i = document.getElementById('compare-diff'); return i.complete && i.naturalWidth > 0;"))

    # The page shows the API's document.
    query = "?a=%s&b=%s&fitted=R-MET-PAD" % (a_id, b_id)
    with urllib.request.urlopen(url + "api/compare" + query, timeout=300) as r:
        api_text = r.read().decode()
    doc = json.loads(api_text)
    assert doc["feet"], doc
    units = {"peak_pressure_kpa": " kPa", "pti_novel_kpa_s": " kPa s"}
    rows_checked = percents = 0
    for foot in doc["feet"]:
        table = driver.find_element(By.CSS_SELECTOR, "table.compare-table[data-side='%s']" % foot["side"])
        for region, variables in foot["regions"].items():
            for variable, v in variables.items():
                row = table.find_element(By.CSS_SELECTOR, "tr[data-region='%s'][data-variable='%s']" % (region, variable))
                cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
                for cell, key in zip(cells[2:], ("a", "b", "change", "change_percent")):
                    if v[key] is None:
                        assert cell == "–", (region, variable, key, cell)
                        continue
                    unit = " %" if key == "change_percent" else units[variable]
                    assert cell.endswith(unit), (region, variable, key, cell)
                    assert abs(number_in(cell) - v[key]) <= 0.05 + 1e-9, (region, variable, key, cell, v[key])
                    percents += key == "change_percent"
                rows_checked += 1
        shown = {li.get_attribute("data-target"): li for li in
                 driver.find_elements(By.CSS_SELECTOR, "section.compare-foot[data-side='%s'] li.verdict" % foot["side"])}
        for t in foot["targets"]:
            li = shown[t["id"]]
            assert li.get_attribute("data-status") == t["status"], (t, li.text)
            assert t["reason"] in li.text, (t["reason"], li.text)
        # Each foot's heading says where the sensors were and the condition the clinician set.
        assert foot["a"]["condition"] == "barefoot" and foot["b"]["condition"] == "shoe_orthosis", (foot["a"], foot["b"])
        heading = driver.find_element(By.CSS_SELECTOR, "section.compare-foot[data-side='%s'] h3" % foot["side"]).text
        assert "A on a platform, barefoot" in heading and "B on a platform, shoe with orthosis" in heading, heading
        dome_verdict = [t for t in foot["targets"] if t["id"] == "T-MET-PAD-FOREFOOT"][0]
        assert dome_verdict["status"] in ("met", "not_met"), dome_verdict
        assert "J Foot Ankle Res 2014;7:18" in shown["T-MET-PAD-FOREFOOT"].text, shown["T-MET-PAD-FOREFOOT"].text
    assert rows_checked >= 10 and percents >= 10, (rows_checked, percents)

    # ... and the API's document is `insole compare --json` of the same two files and intake.
    with urllib.request.urlopen(url + "api/patients/" + driver.current_url.split("/compare/")[1].split("?")[0], timeout=30) as r:
        patient = json.loads(r.read().decode())
    files = {str(t["id"]): t["file"] for v in patient["visits"] for t in v["trials"]}
    fd, intake = tempfile.mkstemp(prefix="insole_intake_", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump({"patient_id": PSEUDONYM, "age_years": 47, "body_mass_kg": 82.5, "symptoms": {"low_back_pain": True}}, f)
    try:
        out = subprocess.run([os.path.abspath(cli), "compare", files[a_id], files[b_id], "--json", "--fitted", "R-MET-PAD", "--intake", intake,
                              "--condition-a", "barefoot", "--condition-b", "shoe_orthosis"],
                             cwd=data_dir, check=True, capture_output=True, text=True,
                             env=dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "detect_leaks=0"))).stdout
    finally:
        os.remove(intake)
    assert out == api_text, "the API's comparison differs from insole compare --json"
    # The screen from the downloads down (map, first foot's verdicts), then its first table.
    driver.execute_script("document.getElementById('compare-result').scrollIntoView()")
    driver.save_screenshot(os.path.join(shots, "5-compare.png"))
    driver.execute_script("document.querySelector('table.compare-table').scrollIntoView()")
    driver.save_screenshot(os.path.join(shots, "6-compare-table.png"))

    # Printing the screen (what Print comparison sends to the printer): the table, the verdicts and
    # the map without the controls.
    printed = os.path.join(downloads, "printed-compare.pdf")
    with open(printed, "wb") as f:
        f.write(base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"]))
    text = subprocess.run(["pdftotext", printed, "-"], check=True, capture_output=True, text=True).stdout
    os.remove(printed)
    assert "Compare trials of " + PSEUDONYM in text, text[:500]
    assert "T-MET-PAD-FOREFOOT" in text and "forefoot" in text and " kPa" in text and " %" in text, text[:2000]
    for control in ("Back to the patient", "Print comparison", "Download comparison report", "insole clinic"):
        assert control not in text, (control, text[:800])

    # The comparison report, downloaded and read.
    driver.find_element(By.ID, "compare-pdf").click()
    pdf = wait_download(downloads, "compare-trial-%s-trial-%s" % (a_id, b_id), ".pdf")
    text = subprocess.run(["pdftotext", pdf, "-"], check=True, capture_output=True, text=True).stdout
    assert "Comparison with an earlier recording" in text, text[:800]
    assert "T-MET-PAD-FOREFOOT" in text, text[-2000:]
    assert PSEUDONYM in text, text[:500]


def start_server(cli, data_dir):
    """`insole serve` on `data_dir` and a free loopback port: the process and the address it printed."""
    server = subprocess.Popen([cli, "serve", "--data", data_dir, "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    m = re.search(r"open (http://127\.0\.0\.1:\d+/)", line)
    if not m:
        server.kill()
        raise AssertionError("insole serve did not print its address: %r %s" % (line, server.stderr.read()))
    return server, m.group(1)


def stop_server(server):
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def headless_chromium(downloads):
    """Headless Chromium through chromedriver, saving downloads into `downloads`."""
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"download.default_directory": downloads,
                                           "download.prompt_for_download": False})
    service = Service(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=opts, service=service)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return driver


def main(cli, shots):
    os.makedirs(shots, exist_ok=True)
    data = tempfile.mkdtemp(prefix="insole_browser_")
    downloads = tempfile.mkdtemp(prefix="insole_downloads_")
    server = None
    driver = None
    try:
        server, url = start_server(cli, os.path.join(data, "clinic"))
        driver = headless_chromium(downloads)
        wait = PageWait(driver, 60)

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
        choose_source(driver, "walking on a mat (normal")

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
        # Each value shown is the result's median to the digits shown; a measure the rule file
        # gives no decimals for is shown to three significant figures (an arch index resolution
        # of 0.0213 once read "0.0").
        trial_id = driver.find_element(By.ID, "result-trial").text
        result = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/api/trials/' + arguments[0] + '/result', {credentials: 'same-origin'})"
            ".then((r) => r.json()).then(done, (e) => done(String(e)));", trial_id)
        session = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/api/session', {credentials: 'same-origin'}).then((r) => r.json()).then(done, (e) => done(String(e)));")
        labels = {m["key"]: m["label"] + (" (%s)" % m["unit"] if m["unit"] else "") for m in session["measures"]}
        cells = {r.find_elements(By.TAG_NAME, "td")[0].text: [c.text for c in r.find_elements(By.TAG_NAME, "td")[1:-1]]
                 for r in rows}
        shown = 0
        for key, label in labels.items():
            medians = [(f.get("measures") or {}).get(key, {}).get("median") for f in result["feet"]]
            if all(v is None for v in medians):
                continue
            assert label in cells, (label, sorted(cells))
            for v, cell in zip(medians, cells[label]):
                if v is None:
                    assert cell == "–", (label, cell)
                    continue
                digits = cell.split(" ")[0]
                decimals = len(digits.split(".")[1]) if "." in digits else 0
                assert abs(float(digits) - v) <= 0.5 * 10 ** -decimals + 1e-9, (label, cell, v)
                assert v == 0 or float(digits) != 0, (label, cell, v)
                shown += 1
        assert shown >= 10, shown
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

        compare_visits(driver, wait, url, cli, os.path.join(data, "clinic"), downloads, shots)
        # A demo device (an emulator on a pseudo-terminal, captured through the real driver):
        # unplugged mid-scan by the harness (SIGUSR1 to the server), the page says disconnected;
        # plugged back (SIGUSR2), frames resume into the same trial.
        driver.execute_script("location.hash = '#/patient/' + state.patient.id")
        link = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "a.live-link")))
        link.click()
        wait.until(EC.visibility_of_element_located((By.ID, "live-view")))
        choose_source(driver, "Demo device m1616:")
        body = lambda d: d.find_element(By.TAG_NAME, "body")
        driver.find_element(By.ID, "record-stand").click()
        wait.until(lambda d: body(d).get_attribute("data-live-device") == "connected"
                   and int(body(d).get_attribute("data-live-frames") or 0) >= 10)
        server.send_signal(signal.SIGUSR1)
        wait.until(lambda d: body(d).get_attribute("data-live-device") == "disconnected")
        state_text = driver.find_element(By.ID, "live-state").text
        assert "Device disconnected" in state_text, state_text
        assert not driver.find_elements(By.CSS_SELECTOR, "#live-streams .stream"), "the picture was not cleared"
        driver.save_screenshot(os.path.join(shots, "7-live-unplugged.png"))
        server.send_signal(signal.SIGUSR2)
        wait.until(lambda d: body(d).get_attribute("data-live-device") == "connected")
        wait.until(lambda d: driver.find_elements(By.CSS_SELECTOR, "#live-streams .stream"))
        assert "Recording" in driver.find_element(By.ID, "live-state").text
        driver.find_element(By.ID, "stop").click()
        wait.until(lambda d: body(d).get_attribute("data-live-finished") == "ok")
        driver.find_element(By.ID, "back-to-patient").click()
        wait.until(lambda d: any("stand" in a.text for a in d.find_elements(By.CSS_SELECTOR, "a.trial-link")))
        login_check(cli, driver, wait, data, shots)
        print("test-browser: ok (patient, intake, visit, live walk, results, PDF report, second visit, comparison,"
              " demo device unplugged and back, clinic password login); screenshots in", shots)
        return 0
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            stop_server(server)
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "build/browser-screenshots"))
