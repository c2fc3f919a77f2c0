"""What the browser tests share: a headless chromium through Debian's chromium-driver, named
screenshots, form helpers, checks that stop at the first failure, and a post that carries the
browser's cookies but not the page's CSRF token."""
import datetime
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print(f"ok: {message}")


def trusting_home(ca_file):
    """A fresh home folder whose NSS database (where chromium on Linux looks for the
    certificate authorities it trusts besides the system's) trusts the CA of ca_file."""
    home = tempfile.mkdtemp(prefix="houshi-browser-")
    database = "sql:" + os.path.join(home, ".pki", "nssdb")
    os.makedirs(database[4:])
    subprocess.run(["certutil", "-d", database, "-N", "--empty-password"], check=True)
    subprocess.run(["certutil", "-d", database, "-A", "-n", "houshi-local-ca", "-t", "C,,", "-i", ca_file],
                   check=True)
    return home


def browser(ca_file=None):
    """Headless chromium; with ca_file, it trusts that CA (and verifies the pages' certificate
    against it like any other: no certificate error is ignored)."""
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,2000",
                     "--lang=zh-CN"):
        options.add_argument(argument)
    env = dict(os.environ, HOME=trusting_home(ca_file)) if ca_file else None
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver", env=env), options=options)


def add_address_arguments(parser):
    """--base (the pages' address) and --ca-file (the CA its certificate is signed by)."""
    parser.add_argument("--base", required=True, help="the pages' address, e.g. https://localhost:8000")
    parser.add_argument("--ca-file", help="the PEM file of the CA that signed the pages' certificate")


class Pages:
    def __init__(self, args):
        self.args = args
        self.driver = browser(args.ca_file)
        self.shot_number = 0
        os.makedirs(args.shots, exist_ok=True)

    def shot(self, name):
        self.shot_number += 1
        path = os.path.join(self.args.shots, f"{self.shot_number:02d}-{name}.png")
        self.driver.set_window_size(1280, 800)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, max(800, min(height + 40, 6000)))
        self.driver.save_screenshot(path)

    def go(self, path):
        self.driver.get(self.args.base + path)

    def field(self, name):
        return self.driver.find_element(By.NAME, name)

    def type(self, name, value):
        element = self.field(name)
        element.clear()
        element.send_keys(value)

    def type_time(self, name, when):
        # A datetime-local input takes the digits in the browser's order; set it through the
        # value so the test does not depend on the locale's layout.
        element = self.field(name)
        self.driver.execute_script("arguments[0].value = arguments[1]", element, when.strftime("%Y-%m-%dT%H:%M"))

    def choose(self, name, value):
        self.driver.find_element(By.CSS_SELECTOR, f'input[name="{name}"][value="{value}"]').click()

    def select(self, name, value):
        Select(self.field(name)).select_by_value(value)

    def click_and_wait(self, css):
        """Clicks a submit button and waits until the next page has replaced this one."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.CSS_SELECTOR, css).click()

        def replaced(_):
            # chromedriver reports a node of the old document either as stale or, while the new
            # one loads, as "does not belong to the document": both mean the page was replaced.
            try:
                page.is_enabled()
                return False
            except WebDriverException:
                return True
        WebDriverWait(self.driver, 30).until(replaced)

    def sign_in(self, root, login, password):
        """Signs in on a console's page (/yiyuan, /gongan, ...) and checks that it left the sign-in page."""
        self.go(root + "/login")
        self.type("login", login)
        self.type("password", password)
        self.click_and_wait("main button[type=submit]")
        check("/login" not in self.driver.current_url and root in self.driver.current_url,
              f"{login} signs in at {root} and sees {self.driver.current_url[len(self.args.base):]}")

    def sign_out(self):
        self.click_and_wait(".signout button")
        check("/login" in self.driver.current_url, "signing out returns to the sign-in page")


def session_post(pages, path, fields):
    """POSTs form-data with the browser's cookies but without the page's CSRF token."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in pages.driver.get_cookies())
    boundary = "houshi-test-boundary"
    body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                   for k, v in fields.items()) + f"--{boundary}--\r\n"
    request = urllib.request.Request(pages.args.base + path, data=body.encode(), method="POST", headers={
        "Cookie": cookie, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        context = ssl.create_default_context(cafile=pages.args.ca_file)
        with urllib.request.urlopen(request, context=context) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
