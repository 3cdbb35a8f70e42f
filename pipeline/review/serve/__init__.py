"""`pipeline review serve`: the local review workspace, a web app over a run's outputs.

Starlette and uvicorn load only when the server starts (`pipeline --help` stays instant).
The pages, script and style are files of this package (templates/, static/): nothing is
fetched from the network.
"""

from __future__ import annotations

import secrets
import socket
from pathlib import Path

from pipeline.errors import PipelineError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound and listening before the URL is printed (port 0: a free one), so
    the URL works as soon as it is shown, and a port in use is said plainly."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise PipelineError(f"cannot listen on {host}:{port}: {err.strerror}") from err
    sock.listen(128)
    return sock


def server_url(host: str, port: int, token: str | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def build(
    out_dir: Path,
    memory_path: Path,
    glossary_path: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    reviewer: str = "",
    token: str | None = None,
    corpus_dir: Path | None = None,
):
    """(uvicorn server, url, workspace, socket) for the outputs in `out_dir`: the socket
    listens already; `server.run(sockets=[socket])` serves."""
    import uvicorn

    from pipeline.review.serve.app import make_app
    from pipeline.review.serve.workspace import Workspace

    out_dir = Path(out_dir)
    if not out_dir.is_dir() or not any(out_dir.glob("*.jsonl")):
        raise PipelineError(f"no outputs in {out_dir}/: run 'pipeline run' first")
    if host not in LOCAL_HOSTS and not token:
        token = secrets.token_urlsafe(24)  # off this machine: nobody gets in without it
    sock = listening_socket(host, port)
    port = sock.getsockname()[1]
    workspace = Workspace(out_dir, memory_path, glossary_path, reviewer, corpus_dir)
    app = make_app(workspace, host=host, port=port, token=token)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
    )
    return uvicorn.Server(config), server_url(host, port, token), workspace, sock


def run(
    out_dir: Path,
    memory_path: Path,
    glossary_path: Path,
    host: str,
    port: int,
    reviewer: str,
    token: str | None,
    corpus_dir: Path | None,
    echo,
) -> None:
    """Serve until Ctrl-C; then write the outputs of the last saves before returning."""
    server, url, workspace, sock = build(
        out_dir, memory_path, glossary_path, host, port, reviewer, token, corpus_dir
    )
    waiting = workspace.rewrite_waiting()
    if waiting:
        echo(f"writing the outputs of {len(waiting)} documents with reviews they lack", err=True)
    echo(f"reviewing {out_dir}/ at {url}  (Ctrl-C to stop)", err=True)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    written = workspace.rewriter.flush()
    echo(
        "review server stopped; every save is in the memory and in the outputs"
        + (f" (wrote {len(written)} documents)" if written else ""),
        err=True,
    )
