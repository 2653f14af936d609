"""The deploy folder says only true things: its compose file and README name real settings, and all of them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from clientloop.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SETTINGS = {f"CLIENTLOOP_{name.upper()}" for name in Settings.model_fields}
VARIABLE = re.compile(r"\bCLIENTLOOP_[A-Z0-9_]*[A-Z0-9]\b")


def _compose() -> dict:
    return dict(yaml.safe_load((DEPLOY / "compose.yaml").read_text()))


def _environment(service: dict) -> dict[str, str]:
    return {
        k: str(v).replace("${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in deploy/.env}", "pw")
        for k, v in service["environment"].items()
        if k.startswith("CLIENTLOOP_")
    }


def test_compose_runs_postgres_chroma_two_apis_without_workers_and_two_workers() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "chroma", "api-1", "api-2", "worker"}
    assert services["chroma"]["command"][:2] == ["chroma", "run"]
    for api in ("api-1", "api-2"):
        assert services[api]["command"][:3] == ["clientloop", "serve", "--no-workers"]
    assert services["worker"]["command"] == ["clientloop", "worker"] and services["worker"]["deploy"]["replicas"] == 2
    assert {p.split(":")[1] for p in services["api-1"]["ports"] + services["api-2"]["ports"]} == {"8001", "8002"}
    assert "ports" not in services["chroma"]  # no authentication of its own: never published


def test_every_process_gets_the_same_real_settings_and_they_validate() -> None:
    services = _compose()["services"]
    envs = [_environment(services[name]) for name in ("api-1", "api-2", "worker")]
    assert envs[0] == envs[1] == envs[2] and set(envs[0]) <= SETTINGS
    settings = Settings(
        _env_file=None,
        **{
            k.removeprefix("CLIENTLOOP_").lower(): v  # type: ignore[arg-type]
            for k, v in envs[0].items()
        },
    )
    assert settings.chroma_mode == "server" and settings.chroma_host == "chroma"
    assert settings.resolved_database_url.startswith("postgresql+psycopg://clientloop:pw@postgres:5432/")
    assert settings.database_app_role == "clientloop_app" and settings.env == "prod"


def test_readme_documents_every_setting_and_invents_none() -> None:
    text = (DEPLOY / "README.md").read_text()
    named = set(VARIABLE.findall(text))
    assert named - SETTINGS == set(), "deploy/README.md names settings clientloop does not have"
    documented = set(re.findall(r"^\| `(CLIENTLOOP_[A-Z0-9_]+)` \|", text, re.MULTILINE))
    assert documented == SETTINGS, f"undocumented: {sorted(SETTINGS - documented)}"


def test_docker_compose_parses_the_file_where_docker_compose_exists() -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("no `docker compose` here; the structure is checked above")
    done = subprocess.run(
        [docker, "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={"POSTGRES_PASSWORD": "pw", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
