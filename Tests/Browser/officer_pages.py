"""The departments' officers' pages in a real browser (Debian's chromium through
chromium-driver, headless), against a running Houshi behind nginx.

A public security officer finds two held cancellations (one past its deadline, in red), reads
the household beside the one whose deceased heads a household, is refused without a reason,
approves with one, and sees it in the decisions and the day's cancellations; the hospital's case
page then shows 户口注销 已办结. A civil affairs clerk confirms the day's pickup, records the
cremation and opens the certificate (printed to PDF, read back); a family arriving before the
hospital's notice is not found by ID number, so the clerk records what was checked and issues
the certificate (its number is printed for the test to compare with the notice's). A social security officer
approves a held medical account and reads the settlements. The department's and the city's
supervision pages list the overdue item. Every form refuses a post without its CSRF token; an officer of one department
cannot open another's pages. Screenshots of every page go to --shots. Exits non-zero with the
reason on the first failure."""
import argparse
import base64
import datetime
import os
import subprocess
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions

from browser import BEIJING, Pages, add_address_arguments, check, session_post


def parse_args():
    p = argparse.ArgumentParser()
    add_address_arguments(p)
    p.add_argument("--password", required=True, help="every account's password")
    p.add_argument("--gongan", required=True, help="a public security reviewer's login")
    p.add_argument("--minzheng-clerk", required=True, help="a civil affairs clerk's login")
    p.add_argument("--renshe", required=True, help="a social security reviewer's login")
    p.add_argument("--jiandu", required=True, help="a supervisor's login (the city's supervision page)")
    p.add_argument("--staff", required=True, help="the hospital staff member who entered the notices")
    p.add_argument("--head-case", required=True, help="case id: the deceased heads a household (hukou held)")
    p.add_argument("--head-name", required=True)
    p.add_argument("--other-member", required=True, help="the name of another member of that household")
    p.add_argument("--overdue-case", required=True, help="case id: hukou held and past its deadline")
    p.add_argument("--overdue-name", required=True)
    p.add_argument("--medical-case", required=True, help="case id: the medical account held for a reimbursement")
    p.add_argument("--medical-name", required=True)
    p.add_argument("--walk-in-id", required=True, help="an ID number no notice has named yet")
    p.add_argument("--walk-in-name", required=True)
    p.add_argument("--pickup-date", required=True, help="the day of the head case's pickup, YYYY-MM-DD")
    p.add_argument("--shots", required=True, help="folder for screenshots and the printed PDF")
    p.add_argument("--timeout", type=float, default=60)
    return p.parse_args()


def text(pages):
    return pages.driver.find_element(By.TAG_NAME, "body").text


def public_security(pages, args):
    driver = pages.driver
    pages.go("/gongan/held")
    check("/gongan/login" in driver.current_url, "the held items send a visitor without a session to the sign-in page")
    pages.shot("gongan-login")
    pages.sign_in("/gongan", args.gongan, args.password)
    pages.go("/gongan/held")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.held-queue tbody tr")
    names = [r.text for r in rows]
    check(any(args.head_name in r for r in names) and any(args.overdue_name in r for r in names),
          "both held cancellations are in the queue")
    overdue = [r for r in rows if args.overdue_name in r.text][0]
    check("overdue" in overdue.get_attribute("class") and "已超期" in overdue.text, "the overdue one is marked in red")
    check(names.index(next(r for r in names if args.overdue_name in r)) == 0, "the nearest deadline comes first")
    check("超过答复期限未决定" in driver.find_element(By.ID, "overdue-count").text, "every page shows the overdue count")
    pages.shot("gongan-held")

    item = f"/gongan/held/{args.head_case}/hukou"
    pages.go(item)
    page = text(pages)
    check("户主" in page and args.other_member in page, "the case shows the register entry and the household's members")
    pages.shot("gongan-held-item")
    check(session_post(pages, item, {"decision": "approve", "reason": "无令牌"}) == 403,
          "the decision form refuses a post without its CSRF token")
    driver.execute_script("document.getElementById('reason').removeAttribute('required')")
    pages.click_and_wait('button[name="decision"][value="approve"]')
    check("请填写理由" in driver.find_element(By.ID, "decision-error").text, "a decision without a reason is refused")
    pages.type("reason", "户主变更已由家属另行申请")
    pages.click_and_wait('button[name="decision"][value="approve"]')
    decided = driver.find_element(By.ID, "decision").text
    check("已批准" in decided and "户主变更已由家属另行申请" in decided and args.gongan in decided,
          "the decision is recorded with who and why")
    pages.shot("gongan-decided")
    pages.go("/gongan/decisions")
    check(args.head_name in text(pages), "the decision is listed")
    pages.shot("gongan-decisions")
    pages.go("/gongan/cancellations")
    check(args.head_name in text(pages), "the day's cancellations list it")
    pages.shot("gongan-cancellations")
    pages.go("/gongan/supervision")
    overdue_list = driver.find_element(By.CSS_SELECTOR, "table.overdue-list").text
    check(args.overdue_name in overdue_list, "the supervision page lists the overdue item")
    check("已注销" in driver.find_element(By.CSS_SELECTOR, "table.states").text, "it counts items by state")
    pages.shot("gongan-supervision")
    pages.go("/minzheng/held")
    check("/minzheng/login" in driver.current_url, "a public security officer cannot open civil affairs' pages")
    pages.go("/renshe/settlements")
    check("/renshe/login" in driver.current_url, "nor social security's")
    pages.go("/gongan/held")
    check(session_post(pages, "/gongan/logout", {"login": "x"}) == 403, "signing out refuses a post without the CSRF token")
    pages.sign_out()


def hospital(pages, args):
    driver = pages.driver
    pages.sign_in("/yiyuan", args.staff, args.password)
    pages.go(f"/yiyuan/cases/{args.head_case}")
    deadline = time.time() + args.timeout
    while True:
        hukou = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".item") if "户口注销" in e.text]
        if hukou and "已办结" in hukou[0]:
            break
        if time.time() > deadline:
            check(False, f"户口注销 reaches 已办结 on the hospital's case page: {hukou}")
        time.sleep(1)
        driver.refresh()
    check(True, "户口注销 reaches 已办结 on the hospital's case page")
    pages.shot("hospital-case-after-approval")
    pages.sign_out()


def civil_affairs(pages, args):
    driver = pages.driver
    pages.sign_in("/minzheng", args.minzheng_clerk, args.password)
    pickups = f"/minzheng/pickups?date={args.pickup_date}"
    pages.go(pickups)
    row = [r for r in driver.find_elements(By.CSS_SELECTOR, "table.pickups tbody tr") if args.head_name in r.text]
    check(bool(row) and "待确认" in row[0].text, "the day's pickups show the case, waiting for confirmation")
    pages.shot("minzheng-pickups")
    confirm = row[0].find_element(By.CSS_SELECTOR, "form").get_attribute("action")[len(args.base):]
    check(session_post(pages, confirm, {"note": "x"}) == 403, "confirming a pickup refuses a post without the CSRF token")
    pages.click_and_wait(f'form[action$="{confirm}"] button')
    row = [r for r in driver.find_elements(By.CSS_SELECTOR, "table.pickups tbody tr") if args.head_name in r.text]
    check("已确认接运" in row[0].text, "the clerk confirms the pickup")
    pages.shot("minzheng-pickup-confirmed")

    record = f"/minzheng/cremations/{args.head_case}"
    pages.go(record)
    check("骨灰" in text(pages), "the cremation form shows the family's choice")
    pages.shot("minzheng-cremation-form")
    check(session_post(pages, record, {"crematedAt": "2026-12-01T10:00"}) == 403,
          "the cremation form refuses a post without its CSRF token")
    pages.type_time("crematedAt", datetime.datetime.now(BEIJING) - datetime.timedelta(minutes=2))
    pages.type("ashesReceivedBy", "李建国")
    pages.click_and_wait("main form button[type=submit]")
    check(f"/minzheng/certificates/{args.head_case}" in driver.current_url, "recording the cremation opens the certificate")
    number = driver.find_element(By.ID, "certificate-number").text
    check(number.startswith("HZ-") and "李建国" in text(pages), f"the certificate shows its number {number} and the ashes' receiver")
    pages.shot("minzheng-certificate")
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    pdf_path = os.path.join(args.shots, "cremation-certificate.pdf")
    with open(pdf_path, "wb") as out:
        out.write(base64.b64decode(driver.print_page(options)))
    printed = subprocess.run(["pdftotext", "-layout", pdf_path, "-"], capture_output=True, text=True, check=True).stdout
    check(number in printed and args.head_name in printed and "返回" not in printed,
          "the printed certificate (A4) shows the number and the name, without the page's links")
    pages.go(f"/minzheng/held/{args.head_case}/cremation")
    check("未找到" in text(pages), "a case that was never held has no held page")
    for page in ("held", "decisions", "supervision"):
        pages.go(f"/minzheng/{page}")
        pages.shot(f"minzheng-{page}")
    walk_in(pages, args)
    pages.sign_out()


def walk_in(pages, args):
    driver = pages.driver
    pages.go(f"/minzheng/certificates?q={args.walk_in_id}")
    check("尚未送达" in text(pages), "a family arriving before the notice is not found by the ID number")
    pages.shot("minzheng-certificate-search")
    pages.click_and_wait("#new-walk-in")
    check(pages.field("deceasedIdNumber").get_attribute("value") == args.walk_in_id, "the walk-in form has the ID number")
    check(session_post(pages, "/minzheng/walk-ins", {"deceasedIdNumber": args.walk_in_id}) == 403,
          "the walk-in form refuses a post without its CSRF token")
    pages.type("deathCertificateNumber", "H2308832026009999")
    driver.execute_script("document.getElementById('deceasedName').removeAttribute('required')")
    pages.click_and_wait("main form button[type=submit]")
    check("请填写逝者姓名" in text(pages) and pages.field("deathCertificateNumber").get_attribute("value") == "H2308832026009999",
          "a walk-in without the name is refused at that field, the rest kept")
    pages.shot("minzheng-walk-in-form")
    pages.type("deceasedName", args.walk_in_name)
    pages.click_and_wait("main form button[type=submit]")
    number = driver.find_element(By.ID, "certificate-number").text
    check(number.startswith("HZ-") and "现场核验材料" in text(pages), f"the walk-in's certificate {number} records what was checked")
    pages.shot("minzheng-walk-in-certificate")
    pages.go(f"/minzheng/certificates?q={args.walk_in_id}")
    check(len(driver.find_elements(By.ID, "walk-in-link")) == 1, "searching again finds the funeral home's own record")
    print(f"WALK-IN CERTIFICATE {number}")


def social_security(pages, args):
    driver = pages.driver
    pages.sign_in("/renshe", args.renshe, args.password)
    pages.go("/renshe/held")
    check(args.medical_name in text(pages), "the held medical account is in the queue")
    pages.shot("renshe-held")
    item = f"/renshe/held/{args.medical_case}/medical-account"
    pages.go(item)
    check("未结报销" in text(pages), "the register's entry is shown beside the claim")
    pages.shot("renshe-held-item")
    check(session_post(pages, item, {"decision": "approve", "reason": "无令牌"}) == 403,
          "the claim decision refuses a post without its CSRF token")
    pages.type("reason", "报销已人工核对，可先行清算")
    pages.click_and_wait('button[name="decision"][value="approve"]')
    check("已批准" in driver.find_element(By.ID, "decision").text, "the officer approves the held claim")
    pages.shot("renshe-decided")
    deadline = time.time() + args.timeout
    while args.medical_name not in text(pages) or args.head_name not in text(pages):
        if time.time() > deadline:
            check(False, "both settlements are listed")
        time.sleep(1)
        pages.go("/renshe/settlements")
    check(True, "both settlements are listed")
    pages.shot("renshe-settlements")
    driver.find_element(By.XPATH, f"//tr[contains(., '{args.head_name}') and contains(., '养老')]//a").click()
    figures = driver.find_element(By.CSS_SELECTOR, ".settlement-figures").text
    for label in ("停发月份", "应追回多发养老金", "应补发养老金", "丧葬补助金", "抚恤金", "个人帐户余额", "领取人", "规则版本"):
        check(label in figures, f"the settlement shows {label}")
    check("6217000130001234567" not in figures, "the payee's bank account is masked")
    pages.shot("renshe-settlement")
    pages.go("/renshe/payments")
    pages.shot("renshe-payments")
    pages.go("/renshe/old-process")
    pages.shot("renshe-old-process")
    pages.go("/renshe/supervision")
    pages.shot("renshe-supervision")
    pages.go("/renshe/decisions")
    check(args.medical_name in text(pages), "the claim's decision is listed")
    pages.shot("renshe-decisions")
    pages.go("/gongan/held")
    check("/gongan/login" in driver.current_url, "a social security officer cannot open public security's pages")
    pages.go("/renshe/held")
    pages.sign_out()


def city(pages, args):
    driver = pages.driver
    pages.go("/jiandu/")
    check("/jiandu/login" in driver.current_url, "the city's supervision page asks a visitor to sign in")
    pages.sign_in("/jiandu", args.jiandu, args.password)
    overdue = driver.find_element(By.CSS_SELECTOR, "table.overdue-list").text
    check(args.overdue_name in overdue and "公安局" in overdue, "the city's page lists the overdue item and its department")
    check("已办结" in driver.find_element(By.CSS_SELECTOR, "table.states").text, "it counts items by state")
    pages.shot("city-supervision")
    pages.go("/gongan/held")
    check("/gongan/login" in driver.current_url, "a supervisor cannot open a department's pages")
    pages.go("/jiandu/")
    pages.sign_out()


def main():
    args = parse_args()
    pages = Pages(args)
    try:
        public_security(pages, args)
        hospital(pages, args)
        civil_affairs(pages, args)
        social_security(pages, args)
        city(pages, args)
        print("BROWSER TEST PASSED")
    finally:
        pages.driver.quit()


if __name__ == "__main__":
    main()
