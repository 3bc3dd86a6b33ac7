"""GraphiQL at GET /graphql: a page that loads only the service's own assets."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app import create_app
from graph.graphiql import ASSETS_PATH
from infra.settings import Settings

pytestmark = pytest.mark.spec("X4")

SHOP_NAME = "query { shop { name } }"
DEMO_TOKEN = "chub_1_demo-token-for-the-page"
HTML = {"Accept": "text/html,application/xhtml+xml"}
URL_ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
ANY_URL = re.compile(r"(?:https?:)?//[\w.-]+\.\w", re.IGNORECASE)


def local_assets(html: str) -> list[str]:
    """Every src/href of the page, asserting each is one of the service's own assets."""
    urls = [url for url in URL_ATTRIBUTE.findall(html) if url != "data:,"]
    assert urls, "the page references no assets"
    outside = [url for url in urls if not url.startswith(ASSETS_PATH + "/")]
    assert outside == [], f"assets from elsewhere: {outside}"
    return urls


@pytest_asyncio.fixture(loop_scope="session")
async def demo_client(connection: AsyncConnection) -> AsyncIterator[AsyncClient]:
    app = create_app(
        settings=Settings(graphiql=True),
        sessions=lambda: AsyncSession(bind=connection, join_transaction_mode="create_savepoint"),
        demo_token=DEMO_TOKEN,
    )
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def test_page_references_only_local_assets(client: AsyncClient) -> None:
    response = await client.get("/graphql", headers=HTML)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "GraphiQL" in html
    assert ANY_URL.search(html) is None, ANY_URL.search(html)
    urls = local_assets(html)
    assert {url.rsplit("/", 1)[1] for url in urls} == {
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
    }


async def test_every_asset_is_served_with_its_type_and_a_long_cache(client: AsyncClient) -> None:
    html = (await client.get("/graphql", headers=HTML)).text

    for url in local_assets(html):
        response = await client.get(url)
        assert response.status_code == 200, url
        expected = "text/css" if url.endswith(".css") else "text/javascript"
        assert response.headers["content-type"].startswith(expected), url
        assert "max-age=31536000" in response.headers["cache-control"], url
        assert len(response.content) > 10_000, url


async def test_unknown_asset_is_not_found(client: AsyncClient) -> None:
    for name in ["style.css", "..%2F__init__.py", "views.py", "nothing.js"]:
        response = await client.get(f"{ASSETS_PATH}/{name}")
        assert response.status_code == 404, name


async def test_without_demo_token_the_page_explains_the_header(client: AsyncClient) -> None:
    html = (await client.get("/graphql", headers=HTML)).text

    assert 'id="hint"' in html
    assert "Authorization" in html
    assert "Bearer chub_" not in html


async def test_demo_token_prefills_the_headers_editor(demo_client: AsyncClient) -> None:
    html = (await demo_client.get("/graphql", headers=HTML)).text

    assert 'id="hint"' not in html
    config_text = re.search(r'id="graphiql-config" type="application/json">(.*?)</script>', html)
    assert config_text is not None
    config = json.loads(config_text.group(1))
    assert json.loads(config["headers"]) == {"Authorization": f"Bearer {DEMO_TOKEN}"}
    assert config["endpoint"] == "/graphql"
    assert "shop" in config["defaultQuery"]


async def test_the_default_query_runs(client: AsyncClient, token: str) -> None:
    html = (await client.get("/graphql", headers=HTML)).text
    config_text = re.search(r'id="graphiql-config" type="application/json">(.*?)</script>', html)
    assert config_text is not None
    query = json.loads(config_text.group(1))["defaultQuery"]

    response = await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )

    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["shop"]["name"] == "Cửa hàng Thử"
    assert body["data"]["customers"]["totalCount"] == 0


async def test_post_and_get_with_a_query_still_execute(client: AsyncClient, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}

    posted = await client.post("/graphql", json={"query": SHOP_NAME}, headers=auth)
    got = await client.get("/graphql", params={"query": SHOP_NAME}, headers={**HTML, **auth})

    for response in (posted, got):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["data"] == {"shop": {"name": "Cửa hàng Thử"}}
        assert "errors" not in response.json()


async def test_graphiql_can_be_switched_off(connection: AsyncConnection) -> None:
    app = create_app(
        settings=Settings(graphiql=False),
        sessions=lambda: AsyncSession(bind=connection, join_transaction_mode="create_savepoint"),
    )
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        page = await client.get("/graphql", headers=HTML)
        script = await client.get(f"{ASSETS_PATH}/graphiql.min.js")

    assert page.status_code == 404
    assert script.status_code == 404
