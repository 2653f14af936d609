"""The application shell: the API docs work with no network."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from clientloop.api import create_app


def test_docs_pages_load_their_assets_from_the_app_not_a_cdn(container) -> None:
    client = TestClient(create_app(container))
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert "cdn" not in html.lower() and "unpkg" not in html.lower()
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', html)
        assert assets, f"{page} names no assets"
        for url in assets:
            assert url.startswith("/"), url
            response = client.get(url)
            assert response.status_code == 200 and len(response.content) > 1000, url
