"""Make docs/serve-review.png: the review queue of a lake, as `followup serve` shows it.

    uv run followup demo --lake /tmp/demo-lake
    uv run python docs/serve_screenshot.py /tmp/demo-lake

Needs chromium and chromium-driver (Debian). Writes nothing to the lake.
"""

import shutil
import sys
import threading
import time
from pathlib import Path

import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from pipelines.serve.app import build_app


def main(lake: str, out: Path = Path(__file__).with_name("serve-review.png")) -> None:
    server = uvicorn.Server(
        uvicorn.Config(build_app(lake, rebuild_reports=False), port=8765, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--window-size=1200,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get("http://127.0.0.1:8765/granska")
        driver.add_cookie({"name": "followup_reviewer", "value": "Anna%20Berg"})
        driver.get("http://127.0.0.1:8765/granska")
        driver.save_screenshot(str(out))
    finally:
        driver.quit()
        server.should_exit = True
    print(out)


if __name__ == "__main__":
    main(sys.argv[1])
