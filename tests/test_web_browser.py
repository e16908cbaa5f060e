"""The web interview in a real browser: headless Chromium (the distribution's ``chromium`` and
``chromium-driver``, found on PATH, so nothing is downloaded) against ``fairuse serve``'s app under uvicorn.

One whole interview (the lab fine-tuning scenario) with Back, a reload and a resume from the link, ending in
a PDF download whose text is the text of ``fairuse memo --answers`` on the saved answers; and one keyboard-only
pass with JavaScript off. ``FAIRUSE_SCREENSHOTS=docs`` saves the question and result pages' screenshots there.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

pytest.importorskip("fastapi", reason="the web tests need the web extra: pip install '.[web]'")
pytest.importorskip("selenium", reason="the browser tests need selenium: pip install '.[test]'")
if not (shutil.which("chromedriver") and (shutil.which("chromium") or shutil.which("chromium-browser"))):
    pytest.skip("the browser tests need the chromium and chromium-driver packages (apt-get install chromium "
                "chromium-driver)", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from inprocess import run_main  # noqa: E402

LAB = Path(__file__).resolve().parent / "fixtures" / "web" / "lab-finetune.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """uvicorn serving the app on a free port of 127.0.0.1, in a thread; its base URL."""
    import uvicorn

    from fairuse.web import create_app

    app = create_app(data_dir=tmp_path_factory.mktemp("web-data"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def browser(downloads: Path, javascript: bool = True):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1100,1300", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    prefs = {"download.default_directory": str(downloads), "download.prompt_for_download": False,
             "plugins.always_open_pdf_externally": True}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    return webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)


@pytest.fixture
def chrome(tmp_path):
    driver = browser(tmp_path)
    yield driver
    driver.quit()


def asked(driver) -> str | None:
    """The fact the page asks about (from its form), or None on the result page."""
    forms = driver.find_elements(By.CSS_SELECTOR, "form.question")
    return forms[0].get_attribute("action").rsplit("/", 1)[-1] if forms else None


def press(driver, button: str) -> None:
    """Press a button of the question's form and wait for the next page."""
    then(driver, driver.find_element(By.CSS_SELECTOR, f"button[value={button}]").click)


def then(driver, act, *args) -> None:
    """Do ``act`` (a click, a key) and wait until the page it leads to has replaced this one."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    act(*args)

    def replaced(_driver) -> bool:
        # the old page's root is stale once the next page replaced it; Chromium may instead say its node "does
        # not belong to the document", which means the same
        try:
            page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    WebDriverWait(driver, 60).until(replaced)


def give(driver, fact: str, value) -> None:
    """Answer the question on screen as a person would: click the labels, type the text, press Continue."""
    assert asked(driver) == fact
    if value is None:
        press(driver, "skip")
        return
    if isinstance(value, str) and not driver.find_elements(By.CSS_SELECTOR, "input[name=value][type=radio]"):
        box = driver.find_element(By.ID, "value")
        box.clear()
        box.send_keys(value)
    else:
        wanted = {("true" if v else "false") if isinstance(v, bool) else v
                  for v in (value if isinstance(value, list) else [value])}
        for box in driver.find_elements(By.CSS_SELECTOR, "input[name=value]"):
            if (box.get_attribute("value") in wanted) != box.is_selected():
                driver.find_element(By.CSS_SELECTOR, f"label[for={box.get_attribute('id')}]").click()
    press(driver, "answer")


def progress(driver) -> str:
    return driver.find_element(By.ID, "progress").text


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def shoot(driver, name: str) -> None:
    where = os.environ.get("FAIRUSE_SCREENSHOTS")
    if where:
        Path(where).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(where) / name))


def test_whole_interview_with_back_reload_resume_and_pdf(server, chrome, tmp_path):
    answers = yaml.safe_load(LAB.read_text(encoding="utf-8"))
    chrome.get(server + "/")
    then(chrome, chrome.find_element(By.CSS_SELECTOR, "button.primary").click)
    assert asked(chrome) == "use_summary" and "question 1 of about" in progress(chrome)
    link = chrome.find_element(By.CSS_SELECTOR, "a.resume-link").get_attribute("href")
    assert chrome.current_url == link

    give(chrome, "use_summary", answers["use_summary"])
    give(chrome, "jurisdictions", answers["jurisdictions"])
    third = asked(chrome)
    # Back: the previous question again, its answer still selected
    press(chrome, "back")
    assert asked(chrome) == "jurisdictions" and "question 2 of about" in progress(chrome)
    chosen = {b.get_attribute("value") for b in chrome.find_elements(By.CSS_SELECTOR, "input[name=value]")
              if b.is_selected()}
    assert chosen == set(answers["jurisdictions"])
    give(chrome, "jurisdictions", answers["jurisdictions"])
    assert asked(chrome) == third
    shoot(chrome, "web-question.png")

    done = []
    for n in range(60):
        fact = asked(chrome)
        if fact is None:
            break
        if n == 4:  # a reload midway loses nothing: the same question, the same count
            before = progress(chrome)
            chrome.refresh()
            assert asked(chrome) == fact and progress(chrome) == before
        if n == 8:  # the link, opened in a fresh browser, resumes at the same question
            chrome.delete_all_cookies()
            chrome.get(link)
            assert asked(chrome) == fact
        give(chrome, fact, answers.get(fact))
        done.append(fact)
    assert asked(chrome) is None and chrome.find_element(By.TAG_NAME, "h1").text == "The answer"
    shoot(chrome, "web-result.png")

    saved = urllib.request.urlopen(link + "/answers.yaml").read()
    assert yaml.safe_load(saved) == {k: v for k, v in answers.items() if k in done + ["use_summary", "jurisdictions"]}
    chrome.find_element(By.LINK_TEXT, "PDF").click()
    pdf = tmp_path / "memo.pdf"
    deadline = time.monotonic() + 60
    while not (pdf.is_file() and pdf.read_bytes().endswith(b"%%EOF\n")):
        assert time.monotonic() < deadline, "the PDF did not download"
        time.sleep(0.1)
    (tmp_path / "saved.yaml").write_bytes(saved)
    out = run_main("memo", "--answers", tmp_path / "saved.yaml", "--out", tmp_path / "cli.pdf")
    assert out.code == 0, out.stderr
    assert pdf_text(pdf.read_bytes()) == pdf_text((tmp_path / "cli.pdf").read_bytes())


def test_keyboard_only_without_javascript(server, tmp_path):
    driver = browser(tmp_path, javascript=False)
    try:
        driver.get(server + "/")
        then(driver, driver.find_element(By.CSS_SELECTOR, "button.primary").send_keys, Keys.ENTER)
        assert asked(driver) == "use_summary"
        assert driver.switch_to.active_element.get_attribute("id") == "value"  # the answer box has the focus
        driver.switch_to.active_element.send_keys("Quoting a poem in a review")
        driver.switch_to.active_element.send_keys(Keys.TAB)  # to Continue
        assert driver.switch_to.active_element.text == "Continue"
        then(driver, driver.switch_to.active_element.send_keys, Keys.ENTER)
        assert asked(driver) == "jurisdictions" and "question 2 of about" in progress(driver)
        label = driver.find_element(By.CSS_SELECTOR, "label[for=v1]").text
        focused = driver.switch_to.active_element
        assert focused.get_attribute("type") == "checkbox"  # the first choice has the focus
        focused.send_keys(Keys.SPACE)
        then(driver, focused.send_keys, Keys.ENTER)  # submits the form
        assert asked(driver) not in (None, "jurisdictions")
        answers = driver.find_element(By.CSS_SELECTOR, "section.answers").text
        assert label in answers and "Quoting a poem in a review" in answers
        assert not driver.find_elements(By.CSS_SELECTOR, "button.copy")  # the script did not run
    finally:
        driver.quit()
