"""`frontdoor run` as an operator starts it: the web server answers, keeps a connection open
from one request to the next, and stops cleanly on Ctrl+C."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path):
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "FRONTDOOR_VAR_DIR": str(tmp_path),
        "FRONTDOOR_DEBUG": "0",
        "FRONTDOOR_SMTP_PORT": str(_free_port()),
        "FRONTDOOR_CATCHER_PORT": str(_free_port()),
    }
    command = [sys.executable, "-m", "frontdoor.cli", "run", "--no-demo", "--port", str(port)]
    command += ["--workers", "1", "--threads", "2"]
    log = (tmp_path / "run.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own command line, no shell
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, (tmp_path / "run.log").read_text()
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            probe.request("GET", "/")
            if probe.getresponse().status == 200:
                probe.close()
                break
        except OSError:
            time.sleep(0.25)
    else:
        os.killpg(server.pid, signal.SIGKILL)
        pytest.fail("frontdoor run did not answer within two minutes")
    yield server, port, tmp_path / "run.log"
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def test_the_web_server_answers_on_one_connection_and_stops_on_ctrl_c(served):
    server, port, log = served
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for path, wanted in [("/", 200), ("/forms/", 200), ("/no-such-page/", 404)]:
        connection.request("GET", path, headers={"Connection": "keep-alive"})
        response = connection.getresponse()
        response.read()
        assert response.status == wanted, path
    connection.request("GET", "/open311/v2/discovery.json")
    response = connection.getresponse()
    assert response.status == 200 and b"endpoints" in response.read()
    connection.close()

    os.killpg(server.pid, signal.SIGINT)
    assert server.wait(timeout=30) == 0, log.read_text()
