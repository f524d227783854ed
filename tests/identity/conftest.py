"""A real OpenID Connect provider for the sign-in tests: node-oidc-provider from
tests/oidc_provider/, one process per municipality's issuer, with test users in a JSON
file the tests rewrite. Without Node the tests skip with the reason, and fail under CI
(as tests/browser does for a missing Chromium)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc_provider"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI needs this: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider_installed() -> Path:
    """node-oidc-provider's locked packages, installed once (``make test`` already did it;
    a lock keeps two xdist workers from running npm ci at the same time)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        _unavailable("Node.js and npm are not installed (apt-get install nodejs npm)")
    with open(PROVIDER_DIR / "package-lock.json") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
            result = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--silent"],
                cwd=PROVIDER_DIR,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            if result.returncode != 0:
                _unavailable(f"npm ci for the test OpenID provider failed: {result.stderr[-500:]}")
    return PROVIDER_DIR


@dataclass
class RunningProvider:
    key: str
    issuer: str
    client_id: str
    client_secret: str
    users_file: Path

    def set_users(self, users: dict) -> None:
        self.users_file.write_text(json.dumps(users))

    def forge_next_id_token(self, mode: str) -> None:
        response = requests.post(f"{self.issuer}/__test__/forge", json={"mode": mode}, timeout=5)
        response.raise_for_status()


def _start(key: str, redirect_uri: str, users_file: Path, directory: Path):
    port = _free_port()
    client = {
        "client_id": f"portal-{key}",
        "client_secret": f"secret-{key}-0123456789",
        "redirect_uris": [redirect_uri],
    }
    process = subprocess.Popen(
        ["node", "server.js"],
        cwd=directory,
        env={
            "PATH": os.environ["PATH"],
            "OP_PORT": str(port),
            "OP_CLIENTS": json.dumps([client]),
            "OP_USERS_FILE": str(users_file),
        },
        stdout=subprocess.PIPE,
        # The provider's warnings (in-memory storage, fine for tests) and errors.
        stderr=(users_file.parent / f"{key}.log").open("w"),
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if not line.startswith("ready "):
        process.kill()
        log = (users_file.parent / f"{key}.log").read_text()
        pytest.fail(f"The test OpenID provider did not start: {line}{log}")
    provider = RunningProvider(
        key=key,
        issuer=line.split()[1],
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        users_file=users_file,
    )
    return process, provider


@pytest.fixture(scope="session")
def oidc_providers(
    oidc_provider_installed, live_server, tmp_path_factory
) -> Iterator[dict[str, RunningProvider]]:
    """Two municipalities' providers, each with the portal registered as a client."""
    # Authlib refuses plain http unless told; these issuers are on 127.0.0.1 only.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    folder = tmp_path_factory.mktemp("oidc")
    processes = []
    running = {}
    try:
        for key in ("nordvik", "sorvik"):
            users_file = folder / f"{key}-users.json"
            users_file.write_text("{}")
            redirect_uri = f"{live_server.url}/accounts/oidc/{key}/callback/"
            process, provider = _start(key, redirect_uri, users_file, oidc_provider_installed)
            processes.append(process)
            running[key] = provider
        # Discovery answers: the provider is ready for logins.
        for provider in running.values():
            for _ in range(50):
                try:
                    requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=2)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
        yield running
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
