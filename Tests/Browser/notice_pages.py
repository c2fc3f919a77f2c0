"""The hospital's and the family's pages in a real browser (Debian's chromium through
chromium-driver, headless), against a running Houshi behind nginx.

A staff member signs in, fills every field of the 登记表 with a wrong check digit in the
deceased's ID number, sees the Chinese message at that field with everything else kept,
corrects it, uploads a PDF scan, follows the case until every item is 已办结, prints the form
(print_page -> pdftotext shows the fields and the 编号), and opens the family's link from the
SMS. A post without the CSRF token and another institution's case are refused. Screenshots of
every page go to --shots. Exits non-zero with the reason on the first failure."""
import argparse
import base64
import datetime
import json
import os
import subprocess
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions

from browser import BEIJING, Pages, add_address_arguments, check, fail, session_post


def parse_args():
    p = argparse.ArgumentParser()
    add_address_arguments(p)
    p.add_argument("--login", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--other-login", required=True, help="a staff member of another institution")
    p.add_argument("--other-password", required=True)
    p.add_argument("--deceased-id", required=True, help="a valid ID number the registers know")
    p.add_argument("--deceased-name", required=True)
    p.add_argument("--sms-file", required=True, help="the SMS provider stand-in's log (JSON lines)")
    p.add_argument("--shots", required=True, help="folder for screenshots and the printed PDF")
    p.add_argument("--timeout", type=float, default=90)
    return p.parse_args()


def wrong_check_digit(id_number):
    last = id_number[-1]
    return id_number[:-1] + ("0" if last != "0" else "1")


def fill_every_field(pages, deceased_id, name, died_at):
    p = pages
    p.type("applicant.name", "李建国")
    p.type("applicant.phone", "13904561234")
    p.type("applicant.idNumber", "230883196608020312")
    p.type("applicant.address", "黑龙江省抚远市抚远镇通江路12号")
    p.select("applicant.relation", "child")
    p.type("beneficiary.name", "李建国")
    p.select("beneficiary.relation", "child")
    p.type("beneficiary.idNumber", "230883196608020312")
    p.type("beneficiary.bankAccount", "6217000130001234567")
    p.type("beneficiary.bank", "中国建设银行抚远支行")
    p.type("deceased.name", name)
    p.type("deceased.idNumber", deceased_id)
    p.choose("deceased.sex", "male" if int(deceased_id[16]) % 2 else "female")
    birth = datetime.date(int(deceased_id[6:10]), int(deceased_id[10:12]), int(deceased_id[12:14]))
    age = died_at.year - birth.year - ((died_at.month, died_at.day) < (birth.month, birth.day))
    p.type("deceased.age", str(age))
    p.type("deceased.ethnicity", "汉族")
    p.type("deceased.hukouAddress", "黑龙江省抚远市抚远镇通江路12号")
    p.type("deceased.residenceTownship", "抚远镇")
    p.type_time("deceased.diedAt", died_at)
    p.type("deceased.causeOfDeath", "慢性阻塞性肺疾病")
    p.select("deceased.mannerOfDeath", "natural")
    p.select("deceased.employerType", "enterprise")
    p.select("certificate.form", "national-2026")
    p.type("certificate.number", "H2308832026000123")
    p.type_time("certificate.issuedAt", died_at + datetime.timedelta(hours=3))
    p.type("certificate.doctor", "张明")
    p.choose("body.atFuneralHome", "false")
    p.type("body.pickupAddress", "抚远市人民医院住院部")
    p.type_time("body.pickupAt", died_at + datetime.timedelta(hours=8))
    p.choose("ashes.placement", "commercial-cemetery")
    p.type("ashes.placeName", "抚远市福寿园公墓")
    for item in ("cremation", "hukou", "pension", "medical-account"):
        p.choose("requestedItems", item)
    p.choose("commitments.civilizedFuneral", "yes")
    p.choose("commitments.truthful", "yes")
    p.type_time("applicantSignedAt", died_at + datetime.timedelta(hours=4))


def attach_scan(pages, path):
    pages.field("attachments.death-certificate-scan").send_keys(path)


def submit(pages):
    pages.click_and_wait("form.notice-form button[type=submit]")


def family_link(args, name, deadline):
    while time.time() < deadline:
        if os.path.exists(args.sms_file):
            with open(args.sms_file, encoding="utf-8") as log:
                for line in log:
                    text = json.loads(line).get("text", "")
                    if name in text and "/jd/" in text:
                        return text, text[text.index("/jd/"):]
        time.sleep(0.5)
    fail("no SMS with the family's link arrived")


def withdraw(pages, case_path, link, timeout):
    """The clerk withdraws the case: a missing reason comes back at its field; with one, every
    department undoes its work and the case page and the family's page say so."""
    driver = pages.driver
    pages.sign_in("/yiyuan", pages.args.login, pages.args.password)
    pages.go(case_path)
    driver.find_element(By.CSS_SELECTOR, "details.withdraw summary").click()
    pages.shot("withdrawal-form")
    # The browser's own check stops an empty reason; the server's must too.
    driver.execute_script("document.getElementById('withdrawal-reason').removeAttribute('required')")
    pages.click_and_wait("details.withdraw button[type=submit]")
    error = driver.find_element(By.ID, "withdrawal-reason-error")
    check("撤回原因" in error.text, f"a withdrawal without a reason is refused at its field: {error.text!r}")
    pages.type("reason", "死亡医学证明开具对象有误，医院已收回证明")
    pages.click_and_wait("details.withdraw button[type=submit]")
    banner = driver.find_element(By.CSS_SELECTOR, ".withdrawn").text
    check("登记已撤回" in banner and "医院已收回证明" in banner, "the case page states the withdrawal and its reason")
    deadline = time.time() + timeout
    while True:
        states = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".item-state")]
        if len(states) == 4 and all(s == "已撤销" for s in states):
            break
        if time.time() > deadline:
            fail(f"not every item reached 已撤销: {states}")
        time.sleep(1)
        driver.refresh()
    check("各部门已撤销" in driver.find_element(By.CSS_SELECTOR, ".meta").text,
          "every department undid its work: registration, certificate, pension and medical account")
    check(not driver.find_elements(By.CSS_SELECTOR, "details.withdraw"), "a withdrawn case offers no second withdrawal")
    pages.shot("case-withdrawn")
    pages.go(link)
    check(driver.find_element(By.TAG_NAME, "main").text.count("已撤销") >= 4, "the family's page shows every item 已撤销")
    pages.go(case_path)


def main():
    args = parse_args()
    pages = Pages(args)
    driver = pages.driver
    try:
        pages.go("/yiyuan/cases")
        check("/login" in driver.current_url, "the case list sends a visitor without a session to the sign-in page")
        pages.shot("login")
        pages.sign_in("/yiyuan", args.login, args.password)
        pages.shot("cases-before")

        pages.go("/yiyuan/notices/new")
        pages.shot("notice-form-empty")
        died_at = datetime.datetime.now(BEIJING).replace(second=0, microsecond=0) - datetime.timedelta(days=1)
        fill_every_field(pages, wrong_check_digit(args.deceased_id), args.deceased_name, died_at)
        scan = os.path.join(args.shots, "death-certificate.pdf")
        with open(scan, "wb") as out:
            out.write(b"%PDF-1.4\n% scanned death certificate\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
        attach_scan(pages, scan)
        submit(pages)
        error = driver.find_element(By.ID, "deceased_idNumber-error")
        check("校验码" in error.text, f"the wrong check digit is shown at the ID number field in Chinese: {error.text!r}")
        check(pages.field("applicant.name").get_attribute("value") == "李建国", "what was typed is kept (applicant)")
        check(pages.field("beneficiary.bankAccount").get_attribute("value") == "6217000130001234567",
              "what was typed is kept (bank account)")
        check(pages.field("ashes.placeName").get_attribute("value") == "抚远市福寿园公墓", "what was typed is kept (ashes)")
        check(driver.find_element(By.CSS_SELECTOR, 'input[name="requestedItems"][value="pension"]').is_selected(),
              "ticked items stay ticked")
        pages.shot("notice-form-error")

        pages.type("deceased.idNumber", args.deceased_id)
        attach_scan(pages, scan)
        submit(pages)
        check("/cases/" in driver.current_url, "the corrected notice opens a case and shows it")
        case_path = driver.current_url[len(args.base):]
        number = driver.find_element(By.CSS_SELECTOR, "h1 .number").text.replace("编号", "").strip()
        check(number.startswith("FY"), f"the case has a 编号 to read out: {number}")
        pages.shot("case-opened")

        deadline = time.time() + args.timeout
        while True:
            states = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".item-state")]
            if len(states) == 4 and all(s == "已办结" for s in states):
                break
            if time.time() > deadline:
                fail(f"not every item reached 已办结: {states}")
            time.sleep(1)
            driver.refresh()
        check(True, "every item reaches 已办结 on the case page")
        details = driver.find_element(By.CSS_SELECTOR, ".items").text
        check("火化证明编号" in details and "明细已告知家属" in details,
              "results are shown (the certificate number; settlements as told to the family)")
        check("元" not in details, "the hospital's page shows no department's amounts")
        pages.shot("case-done")

        pages.go("/yiyuan/cases?q=" + args.deceased_id[-4:])
        check(number in driver.page_source, "the case is found by the last digits of the ID number")
        pages.shot("cases-search")

        pages.go(case_path + "/print")
        pages.shot("print")
        options = PrintOptions()
        options.page_width, options.page_height = 21.0, 29.7
        pdf_path = os.path.join(args.shots, "registration-form.pdf")
        with open(pdf_path, "wb") as out:
            out.write(base64.b64decode(driver.print_page(options)))
        text = subprocess.run(["pdftotext", "-layout", pdf_path, "-"], capture_output=True, text=True, check=True).stdout
        for expected in (number, args.deceased_name, args.deceased_id, "李建国", "H2308832026000123",
                         "抚远市福寿园公墓", "审批盖章", "申请人签名", "直系亲属"):
            check(expected in text, f"the printed form shows {expected}")

        status = session_post(pages, "/yiyuan/notices", {"deceased.name": "无令牌"})
        check(status == 403, f"a post without the CSRF token is refused (HTTP {status})")

        sms, link = family_link(args, args.deceased_name, deadline)
        check(len(sms) <= 130, f"the SMS with the link has {len(sms)} characters (at most 130)")
        pages.go("/yiyuan/cases")
        pages.sign_out()
        pages.go(link)
        page = driver.find_element(By.TAG_NAME, "main").text
        masked = args.deceased_name[0] + "*" * (len(args.deceased_name) - 2) + args.deceased_name[-1]
        check(masked in page and args.deceased_name not in page, f"the family's page masks the name ({masked})")
        check(page.count("已办结") >= 4, "the family's page shows every item 已办结")
        check("元" in page, "the family's page shows the settlements in 元")
        check("医疗费用" in page and "30日内" in page and "直系亲属" in page, "the family's page carries the reminders")
        check(args.deceased_id not in driver.page_source, "the family's page does not show the ID number")
        driver.set_window_size(390, 1400)
        driver.save_screenshot(os.path.join(args.shots, f"{pages.shot_number + 1:02d}-family-mobile.png"))
        pages.shot_number += 1
        pages.go("/jd/AAAAAAAAAAAAAAAA")
        check("未找到" in driver.page_source, "a made-up family link opens nothing")

        withdraw(pages, case_path, link, args.timeout)
        pages.sign_out()

        pages.sign_in("/yiyuan", args.other_login, args.other_password)
        pages.go(case_path)
        check("未找到" in driver.page_source, "another institution's staff cannot open the case")
        pages.shot("other-institution")
        print("BROWSER TEST PASSED")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
