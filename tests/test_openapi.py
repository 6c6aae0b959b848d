"""The OpenAPI schema is valid and complete, and the docs page works without the internet."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient


def test_schema_validates_without_warnings(db, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    for path in (
        "/api/v1/cases/{id}/events/",
        "/api/v1/cases/{id}/void/",
        "/api/v1/publicity/",
        "/api/v1/fraud-types/",
    ):
        assert f"{path}:" in schema, path


def test_schema_is_for_signed_in_users(tree):
    assert APIClient().get("/api/schema/").status_code in (401, 403)
    client = APIClient()
    client.force_authenticate(tree.officer_a)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/cases/{id}/events/{event_id}/void/" in response.json()["paths"]


def test_docs_page_redirects_anonymous_visitors_to_the_login(db, client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.fixture
def docs_html(tree, client) -> str:
    client.force_login(tree.leader)
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    return response.content.decode()


def test_docs_page_references_nothing_outside_the_site(docs_html):
    external = [
        url for url in re.findall(r"https?://[^\s\"'<>)]+", docs_html) if not url.startswith("http://testserver")
    ]
    assert external == []


def test_docs_page_assets_are_served_locally(docs_html, client):
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', docs_html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert all(finders.find(asset) for asset in assets), assets
    # The page's own script is a file of its own (?script), not inline: the CSP allows no inline script.
    assert '<script src="/api/docs/?script="></script>' in docs_html
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200 and reverse("api-schema") in script.content.decode()
