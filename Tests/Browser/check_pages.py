"""Opens every dashboard page in headless Chromium (Selenium with Debian's chromium-driver), signed in with a
key of the demo organisation, and the ambassador's own page signed in with an ambassador's key: checks the
rendered DOM (language, title, labelled controls, chart titles, the tiles' values against the API's), that the
browser logged no console error, and saves a screenshot of each page at a desktop and a phone width.

    python3 Tests/Browser/check_pages.py BASE_URL KEY AMBASSADOR_KEY SCREENSHOT_DIR
"""
import json
import os
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.common.by import By

PAGES = ["overview", "programme", "content", "ssi", "results", "hr"]
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def api(base, key, path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + key})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def count_text(value):
    return "{:,}".format(int(value)) if float(value).is_integer() else "{:,.2f}".format(float(value))


def sign_in(driver, base, key):
    driver.delete_all_cookies()
    driver.get(base + "/sign-in")
    driver.find_element(By.ID, "key").send_keys(key)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def check(driver, base, page, kpis, failures):
    """The common checks of one page at the current window size."""
    driver.get(base + "/dashboard/" + page + "?period=last_30_days")
    if driver.find_element(By.TAG_NAME, "html").get_attribute("lang") != "en":
        failures.append(page + ": no lang")
    if "Employee advocacy" not in driver.title:
        failures.append(page + ": title is " + driver.title)
    for control in driver.find_elements(By.CSS_SELECTOR, "input, select"):
        if control.get_attribute("type") != "hidden" and not control.find_elements(By.XPATH, "ancestor::label") \
                and not driver.find_elements(By.CSS_SELECTOR, "label[for='%s']" % control.get_attribute("id")):
            failures.append(page + ": unlabelled control " + (control.get_attribute("name") or "?"))
    for chart in driver.find_elements(By.CSS_SELECTOR, "svg"):
        if not chart.find_elements(By.TAG_NAME, "title"):
            failures.append(page + ": a chart without a title")
    if page == "overview":
        for tile in driver.find_elements(By.CSS_SELECTOR, ".tile[data-kpi]"):
            kpi = kpis[tile.get_attribute("data-kpi")]
            shown = tile.find_element(By.CSS_SELECTOR, ".value").text
            if kpi["unit"] == "count" and kpi["value"] is not None and shown != count_text(kpi["value"]):
                failures.append("overview: %s shows %s, the API says %s" % (kpi["key"], shown, kpi["value"]))
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    failures += ["%s: console error %s" % (page, entry["message"]) for entry in errors]


def main():
    base, key, ambassador_key, folder = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    os.makedirs(folder, exist_ok=True)
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]:
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"), options=options)
    failures = []
    try:
        kpis = {k["key"]: k for k in api(base, key, "/v1/kpis?period=last_30_days")["kpis"]}
        for signed_in, pages in [(key, PAGES), (ambassador_key, ["me"])]:
            sign_in(driver, base, signed_in)
            for page in pages:
                for size, (width, height) in SIZES.items():
                    driver.set_window_size(width, height)
                    check(driver, base, page, kpis, failures)
                    driver.save_screenshot(os.path.join(folder, "%s-%s.png" % (page, size)))
        me = api(base, ambassador_key, "/v1/me?period=last_30_days")["summary"]
        driver.get(base + "/dashboard/me?period=last_30_days")
        shown = driver.find_element(By.CSS_SELECTOR, ".tile .value").text
        if shown != count_text(me["posts"]):
            failures.append("me: posts show %s, the API says %s" % (shown, me["posts"]))
        print("browser check: %d pages at %d widths, screenshots in %s" % (len(PAGES) + 1, len(SIZES), folder))
    finally:
        driver.quit()
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
