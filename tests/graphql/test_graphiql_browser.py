"""GraphiQL in a real headless Chromium, with every request off this machine blocked.

The service runs under uvicorn in a thread of its own, so the shop and token it serves are
committed (under a shop id no other test uses) and deleted afterwards.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
import uvicorn
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from app import create_app
from domain.staff import Role
from infra import tables as t
from infra.database import create_engine, session_factory
from infra.repositories.auth import ensure_shop, issue_token
from infra.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.spec("X4")]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_SHOP_ID = 7_700_001
BROWSER_SHOP_NAME = "Cửa hàng Trình duyệt"
SHOP_NAME = "{ shop { name } }"
SCREENSHOT_DIR = os.environ.get("GRAPHIQL_SCREENSHOT_DIR")


@dataclass
class LiveServer:
    """The app under uvicorn on 127.0.0.1, in a thread with its own event loop and engine."""

    database_url: str
    demo_token: str | None
    sock: socket.socket = field(init=False)
    server: uvicorn.Server = field(init=False)
    thread: threading.Thread = field(init=False)
    failure: BaseException | None = None

    @property
    def base_url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(app=None, log_level="warning", lifespan="off")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, name="graphiql-server", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:
            self.failure = error
            raise

    async def _serve(self) -> None:
        engine = create_engine(self.database_url, pool_size=2)
        try:
            app = create_app(
                settings=Settings(graphiql=True),
                sessions=session_factory(engine),
                demo_token=self.demo_token,
            )
            self.server.config.app = app
            await self.server.serve(sockets=[self.sock])
        finally:
            await engine.dispose()

    async def wait_started(self) -> None:
        for _ in range(200):
            if self.server.started:
                return
            if self.failure is not None or not self.thread.is_alive():
                raise RuntimeError(f"server did not start: {self.failure!r}")
            await asyncio.sleep(0.05)
        raise TimeoutError("server did not start within 10 s")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest_asyncio.fixture(loop_scope="session")
async def browser_token(engine: AsyncEngine) -> AsyncIterator[str]:
    """A committed shop and owner token that a separate server process can see."""
    async with engine.begin() as connection:
        await connection.execute(delete(t.shop).where(t.shop.c.shop_id == BROWSER_SHOP_ID))
    async with session_factory(engine)() as session:
        await ensure_shop(session, shop_id=BROWSER_SHOP_ID, name=BROWSER_SHOP_NAME)
        _, token = await issue_token(
            session, shop_id=BROWSER_SHOP_ID, role=Role.OWNER, staff_name="Trình duyệt"
        )
        await session.commit()
    try:
        yield token
    finally:
        async with engine.begin() as connection:
            await connection.execute(delete(t.shop).where(t.shop.c.shop_id == BROWSER_SHOP_ID))


@pytest_asyncio.fixture(loop_scope="session")
async def live_server(database_url: str, browser_token: str) -> AsyncIterator[LiveServer]:
    server = LiveServer(database_url=database_url, demo_token=browser_token)
    server.start()
    try:
        await server.wait_started()
        yield server
    finally:
        server.stop()


@pytest.fixture
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); browser test skipped")
    return CHROMIUM


async def test_graphiql_runs_a_query_without_leaving_the_machine(
    live_server: LiveServer, chromium_path: Path
) -> None:
    pytest.importorskip("playwright", reason="the playwright package is not installed")
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import Route, async_playwright

    own_host = urlsplit(live_server.base_url).netloc
    blocked: list[str] = []
    page_errors: list[str] = []

    async def only_this_server(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == own_host or url.startswith("data:"):
            await route.continue_()
        else:
            blocked.append(url)
            await route.abort()

    async with async_playwright() as playwright:
        try:
            browser = await playwright.chromium.launch(
                executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
            )
        except PlaywrightError as error:
            pytest.skip(
                f"Playwright cannot launch {chromium_path}: {error.message.splitlines()[0]}"
            )
        try:
            context = await browser.new_context(viewport={"width": 1400, "height": 900})
            await context.route("**/*", only_this_server)
            page = await context.new_page()
            page.on("pageerror", lambda error: page_errors.append(str(error)))

            await page.goto(f"{live_server.base_url}/graphql", wait_until="load")
            await page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=15_000)
            headers = await page.evaluate(
                "document.querySelector(\"section[aria-label='Headers'] .graphiql-editor:not(.hidden) .CodeMirror\")"
                ".CodeMirror.getValue()"
            )
            assert "Authorization" in headers
            # The schema loads with the prefilled token: the docs explorer lists the root type.
            await page.click("button[aria-label='Show Documentation Explorer']")
            root_type = page.locator("a.graphiql-doc-explorer-type-name", has_text="Query")
            await root_type.first.wait_for(timeout=15_000)

            editor = ".graphiql-query-editor .CodeMirror"
            await page.click(editor)
            await page.keyboard.press("Control+A")
            await page.keyboard.press("Delete")
            # Typed as a person would; the editor closes brackets itself and overtypes them.
            await page.keyboard.type(SHOP_NAME)
            typed = await page.evaluate(f"document.querySelector('{editor}').CodeMirror.getValue()")
            assert typed == SHOP_NAME
            # GraphiQL re-reads the operation name from the editor after a short debounce;
            # running at once would still send the default query's name.
            await page.wait_for_timeout(1000)
            await page.click(".graphiql-execute-button")
            await page.wait_for_function(
                "name => (document.querySelector('section[aria-label=\"Result Window\"] .CodeMirror')"
                "?.CodeMirror.getValue() || '').includes(name)",
                arg=BROWSER_SHOP_NAME,
                timeout=15_000,
            )
            result = await page.evaluate(
                "document.querySelector('section[aria-label=\"Result Window\"] .CodeMirror').CodeMirror.getValue()"
            )
        finally:
            if SCREENSHOT_DIR:
                await page.screenshot(path=str(Path(SCREENSHOT_DIR) / "graphiql.png"))
            await browser.close()

    assert f'"name": "{BROWSER_SHOP_NAME}"' in result
    assert blocked == [], f"requests off this machine: {blocked}"
    assert page_errors == []
