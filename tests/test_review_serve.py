"""`pipeline review serve`'s guards, over HTTP: a real server process on 127.0.0.1.

The outputs are the sample article's (tests/sample_article.py, written by the real
export), with script payloads in its English; no engine is needed. What a browser does
with the pages is tested in test_review_serve_browser.py.
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from review_server import start_server, stop_server
from sample_article import make_sample

from pipeline import export

pytest.importorskip("starlette")
PAYLOADS = ["</script><script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("serve")
    doc, segments = make_sample(root)
    by_id = {s.id: s for s in segments}
    by_id["sample:2:1"].en = f"North Korea {PAYLOADS[0]} signs a treaty."
    by_id["sample:3:2"].en = f"North Korea {PAYLOADS[1]} welcomes it."
    out = root / "translations"
    out.mkdir()
    export.write_document(out, doc, segments)
    (root / "glossary").mkdir()
    (root / "glossary" / "glossary.yaml").write_text("terms: []\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def server(outputs):
    process, url = start_server(cwd=outputs)
    yield urlsplit(url)
    status, _ = stop_server(process)
    assert status == 0


def request(url, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"Host": url.netloc, **(headers or {})}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def csrf_of(page: bytes) -> str:
    return re.search(rb'name="csrf-token" content="([^"]+)"', page).group(1).decode()


def test_binds_to_127_0_0_1_by_default_and_sends_a_strict_policy(server):
    assert server.hostname == "127.0.0.1"
    response, page = request(server, "GET", "/")
    assert response.status == 200
    policy = response.getheader("Content-Security-Policy")
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert response.getheader("X-Frame-Options") == "DENY"
    assert b"sample" in page
    # every script and style is the package's own: no other host is named
    assert not re.search(rb'(src|href)="(https?:)?//', page)


def test_another_host_name_is_refused(server):
    """A page of another site reaching 127.0.0.1 through DNS rebinding sends its own Host."""
    response, _ = request(server, "GET", "/", headers={"Host": f"evil.example:{server.port}"})
    assert response.status == 421


def test_a_save_needs_a_post_of_json_with_the_pages_csrf_token(server):
    _, page = request(server, "GET", "/doc/sample")
    token = csrf_of(page)
    body = json.dumps(
        {"doc": "sample", "id": "sample:3:1", "en": "x", "kind": "edit", "base_version": 0}
    ).encode()
    json_type = {"Content-Type": "application/json"}
    # no token, a wrong one, a form post (what a cross-site form can send), a GET
    assert request(server, "POST", "/api/save", body, json_type)[0].status == 403
    wrong = {**json_type, "X-CSRF-Token": "nope"}
    assert request(server, "POST", "/api/save", body, wrong)[0].status == 403
    form = {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token}
    assert request(server, "POST", "/api/save", body, form)[0].status == 415
    assert request(server, "GET", "/api/save")[0].status == 405
    cross = {**json_type, "X-CSRF-Token": token, "Origin": "http://evil.example"}
    assert request(server, "POST", "/api/save", body, cross)[0].status == 403
    # the same request from the page itself is stored...
    own = {**json_type, "X-CSRF-Token": token, "Origin": f"http://{server.netloc}"}
    response, data = request(server, "POST", "/api/save", body, own)
    assert response.status == 200, data
    saved = json.loads(data)["segment"]
    assert (saved["en"], saved["origin"]) == ("x", "review") and saved["version"] > 0
    # ...and the same again, over the version it replaced, is refused as stale
    response, data = request(server, "POST", "/api/save", body, own)
    assert response.status == 409, data
    assert json.loads(data)["conflict"]["theirs"] == "x"


def test_no_path_outside_the_output_folder(server, outputs):
    (outputs / "secret.txt").write_text("secret", encoding="utf-8")
    for path in (
        "/doc/..%2F..%2Fetc%2Fpasswd",
        "/doc/../secret",
        "/files/..%2Fsecret.txt",
        "/files/%2Fetc%2Fpasswd",
        "/files/memory.sqlite",  # in the folder, but not an output a reader opens
        "/static/..%2Fapp.py",
        "/static/../workspace.py",
        "/api/doc/..%2Fsecret",
    ):
        response, data = request(server, "GET", path)
        assert response.status == 404, path
        assert b"secret" not in data.replace(b"secret.txt", b"")
    assert request(server, "GET", "/files/sample.po")[0].status == 200


def test_texts_reach_the_page_escaped(server):
    _, page = request(server, "GET", "/doc/sample")
    # the document's JSON cannot close its script element, whatever the English holds
    data = page[page.index(b'id="document-data">') : page.index(b"</script>")]
    assert b"<" not in data.split(b">", 1)[1]
    assert b"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in data
    assert b"\\u003cimg src=x onerror=alert(1)\\u003e" in data
    assert page.count(b"<script") == 2
    response, report = request(server, "GET", "/report")
    assert b"<img" not in report


def test_a_token_guards_every_request_when_given(outputs):
    process, url = start_server("--token", "s3cret-token", cwd=outputs)
    try:
        parts = urlsplit(url)
        assert "token=s3cret-token" in url  # printed, to open as is
        assert request(parts, "GET", "/")[0].status == 401
        assert request(parts, "GET", "/static/review.js")[0].status == 401
        assert request(parts, "GET", "/?token=wrong")[0].status == 401
        response, _ = request(parts, "GET", "/?token=s3cret-token")
        assert response.status == 200
        cookie = response.getheader("Set-Cookie")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        session = {"Cookie": cookie.split(";")[0]}
        assert request(parts, "GET", "/doc/sample", headers=session)[0].status == 200
        # with a token, the machine may be reached by any of its names or addresses
        other_name = {**session, "Host": f"192.0.2.7:{parts.port}"}
        response, page = request(parts, "GET", "/doc/sample", headers=other_name)
        assert response.status == 200
        save = {
            **other_name,
            "Content-Type": "application/json",
            "X-CSRF-Token": csrf_of(page),
            "Origin": "http://evil.example",
        }
        assert request(parts, "POST", "/api/save", b"{}", save)[0].status == 403
    finally:
        stop_server(process)


def test_off_this_machine_a_token_is_generated(outputs):
    from pipeline.review import serve

    out = outputs / "translations"
    server, url, _, sock = serve.build(out, out / "memory.sqlite", Path("none.yaml"), "0.0.0.0")
    sock.close()  # never served: only what it would print
    assert re.fullmatch(r"http://0\.0\.0\.0:\d+/\?token=[\w-]{20,}", url)


def test_a_port_in_use_or_no_outputs_is_a_clear_error(server, outputs):
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "review", "serve", "--port", str(server.port)],
        cwd=outputs,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{server.port}" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "review", "serve", "--out", "nothing-here"],
        cwd=outputs,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "error: no outputs in nothing-here/: run 'pipeline run' first"


def test_help_does_not_load_the_web_server():
    code = (
        "import sys; from click.testing import CliRunner; from pipeline.cli import main; "
        "CliRunner().invoke(main, ['review', 'serve', '--help']); "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]"


def save_through(url, segment_id: str, en: str) -> dict:
    """A save as the page makes it: its CSRF token, the version it shows."""
    _, page = request(url, "GET", "/doc/sample")
    token = csrf_of(page)
    _, data = request(url, "GET", "/api/doc/sample")
    version = next(s for s in json.loads(data)["segments"] if s["id"] == segment_id)["version"]
    body = {"doc": "sample", "id": segment_id, "en": en, "kind": "edit", "base_version": version}
    headers = {"Content-Type": "application/json", "X-CSRF-Token": token}
    response, data = request(url, "POST", "/api/save", json.dumps(body).encode(), headers)
    if response.status == 409:  # a new memory: the store recovered the outputs' reviews first
        body["base_version"] = json.loads(data)["segment"]["version"]
        response, data = request(url, "POST", "/api/save", json.dumps(body).encode(), headers)
    assert response.status == 200, data
    return json.loads(data)["segment"]


def english_of(outputs: Path, segment_id: str) -> str:
    lines = (outputs / "translations" / "sample.jsonl").read_text("utf-8").splitlines()
    return next(r for r in map(json.loads, lines) if r["id"] == segment_id)["en"]


def test_a_save_is_in_the_outputs_after_ctrl_c_and_after_kill_9(outputs):
    import signal
    import time

    process, url = start_server(cwd=outputs)
    try:
        save_through(urlsplit(url), "sample:3:2", "The DPRK welcomes the deal.")
    finally:
        status, said = stop_server(process)  # at once: before the debounced rewrite
    assert status == 0 and "wrote 1 documents" in said, said
    assert english_of(outputs, "sample:3:2") == "The DPRK welcomes the deal.", said

    process, url = start_server(cwd=outputs)
    try:
        saved = save_through(urlsplit(url), "sample:3:2", "The DPRK hails the deal.")
        assert saved["en"] == "The DPRK hails the deal."
    finally:
        process.send_signal(signal.SIGKILL)  # no time to write the outputs
        process.wait()
    assert english_of(outputs, "sample:3:2") == "The DPRK welcomes the deal."
    # the memory has it: the next server writes it into the outputs as it starts
    process, url = start_server(cwd=outputs)
    try:
        deadline = time.monotonic() + 30
        while english_of(outputs, "sample:3:2") != "The DPRK hails the deal.":
            assert time.monotonic() < deadline, "the save never reached the outputs"
            time.sleep(0.2)
    finally:
        stop_server(process)


def test_saves_while_the_outputs_are_being_rewritten_are_kept(tmp_path, monkeypatch):
    """Two saves land while the background rewrite is writing the document (between its
    files' rename and their record in the memory, the moment its own bytes look like a
    person's edit): neither is undone, and the next rewrite writes both."""
    from pipeline.review import store
    from pipeline.review.serve.workspace import Workspace

    doc, segments = make_sample(tmp_path)
    out = tmp_path / "translations"
    out.mkdir()
    export.write_document(out, doc, segments)
    workspace = Workspace(out, out / "memory.sqlite", tmp_path / "none.yaml", "Ann")

    def save(segment_id, en):
        shown = next(s for s in workspace.document("sample")["segments"] if s["id"] == segment_id)
        result = workspace.save("sample", segment_id, en, "edit", shown["version"])
        if result.conflict:  # a new memory: the store recovered the outputs' reviews first
            result = workspace.save("sample", segment_id, en, "edit", result.segment["version"])
        return result

    assert save("sample:3:1", "One.").saved
    assert workspace.rewriter.wait_idle(60)
    record_outputs = store.record_outputs
    during = []

    window = []

    def saves_in_the_window(memory_path, digests):
        if not window:  # the first rewrite: two saves arrive before its record
            window.append(True)
            during.append(save("sample:3:2", "Two."))
            during.append(save("sample:2:1", "Three."))
        record_outputs(memory_path, digests)

    monkeypatch.setattr(store, "record_outputs", saves_in_the_window)
    workspace.rewriter.schedule("sample", delay=0)
    assert workspace.rewriter.wait_idle(60)
    assert [r.saved for r in during] == [True, True]
    assert workspace.rewriter.wait_idle(60)  # the rewrite the two saves asked for
    english = {r["id"]: r["en"] for r in workspace.records("sample")}
    assert (english["sample:3:1"], english["sample:3:2"], english["sample:2:1"]) == (
        "One.",
        "Two.",
        "Three.",
    )
