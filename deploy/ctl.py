"""``python -m deploy``: start N app servers behind nginx on this machine, and operate them.

    python -m deploy up [--servers 2] [--port 8080] [--script app.py] [--database-url URL] [--run-dir DIR]
    python -m deploy status | pid K | kill K | stop K | start K | drain K | undrain K | restart K | down
    python -m deploy migrate                       # the workshop schema, once, on $DATABASE_URL
    python -m deploy nginx-site --servers H:P,H:P [--listen 0.0.0.0:80] [--drain K]   # for machines

``up`` runs in the foreground: it starts PostgreSQL (a throwaway cluster, unless ``--database-url`` or
``$DATABASE_URL`` names one), migrates the schema once, hands the servers and nginx to supervisord,
waits until every server and the proxy answer their health checks, prints the URL, and on Ctrl-C
(or SIGTERM, or ``down``) stops everything it started. The other commands talk to that supervisord
through its socket in the run directory and print JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xmlrpc.client
from pathlib import Path
from typing import Sequence

from .config import AFFINITY_COOKIE, PROXY_HEALTH, REPO, Layout, Program, nginx_conf, supervisord_conf

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
DEFAULT_RUN_DIR = REPO / "var" / "deploy"
#: Seconds a server may take to answer its health check after (re)start (two cores, shared).
HEALTH_TIMEOUT_S = 120.0


class DeployError(Exception):
    """A command that cannot go on; ``main`` prints its one line and exits 2."""


# --------------------------------------------------------------------------- small helpers
def free_port(host: str = "127.0.0.1") -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def healthy(url: str, timeout: float = 2.0) -> bool:
    """``url`` answers 200 with body ``ok`` (Streamlit's ``/_stcore/health``)."""
    with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200 and r.read().decode().strip() == "ok"
    return False


def wait_until(check, what: str, timeout: float = HEALTH_TIMEOUT_S, every: float = 0.3) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise DeployError(f"{what}: not within {timeout:.0f} s")
        time.sleep(every)


class RunDir:
    """The files of one local deployment (default ``var/deploy`` in the repository)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path or os.environ.get("ZC_DEPLOY_DIR") or DEFAULT_RUN_DIR).resolve()
        self.layout_file = self.path / "layout.json"
        self.nginx_conf = self.path / "nginx.conf"
        self.supervisord_conf = self.path / "supervisord.conf"
        self.socket = self.path / "supervisor.sock"
        self.logs = self.path / "logs"

    def layout(self) -> Layout:
        if not self.layout_file.is_file():
            raise DeployError(f"no deployment in {self.path} (start one with: python -m deploy up)")
        return Layout.from_json(self.layout_file.read_text(encoding="utf-8"))

    def rpc(self):
        """supervisord's XML-RPC interface over its unix socket."""
        from supervisor.xmlrpc import SupervisorTransport

        if not self.socket.exists():
            raise DeployError(f"supervisord is not running in {self.path} (start it with: python -m deploy up)")
        proxy = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=SupervisorTransport(None, None, f"unix://{self.socket}"))
        return proxy.supervisor

    def alive(self) -> bool:
        try:
            return self.rpc().getState()["statename"] == "RUNNING"
        except (DeployError, OSError, xmlrpc.client.Error):
            return False

    def proxy_url(self) -> str:
        return "http://" + self.layout().listen


def app_name(n: int) -> str:
    return f"app-{n}"


def _number(layout: Layout, n: int) -> int:
    if n not in layout.numbers:
        raise DeployError(f"no server {n}: this deployment has servers 1…{len(layout.servers)}")
    return n


# --------------------------------------------------------------------------- nginx
def write_nginx(run: RunDir, layout: Layout) -> None:
    """Render nginx.conf for ``layout``, have nginx check it, then make it the live file."""
    # Started as root, nginx would drop its workers to `nobody`, who may not reach a run directory under a
    # private folder (uploads are buffered there): locally they run as the invoking user, like the app servers.
    user = "root root" if os.geteuid() == 0 else None
    new = run.path / "nginx.conf.new"
    new.write_text(nginx_conf(layout, run.path, user=user), encoding="utf-8")
    test = subprocess.run([NGINX, "-t", "-q", "-p", str(run.path), "-c", str(new), "-e", str(run.logs / "nginx-error.log")],
                          capture_output=True, text=True)
    if test.returncode != 0:
        raise DeployError("nginx refused the generated configuration: " + test.stderr.strip().replace("\n", " | "))
    new.replace(run.nginx_conf)
    run.layout_file.write_text(layout.to_json(), encoding="utf-8")


def routed_to(proxy_url: str, n: int) -> int | None:
    """The server number nginx answers a browser carrying affinity cookie ``n`` from (its Set-Cookie)."""
    req = urllib.request.Request(proxy_url + "/_stcore/health", headers={"Cookie": f"{AFFINITY_COOKIE}={n}"})
    with contextlib.suppress(OSError, urllib.error.URLError):
        with urllib.request.urlopen(req, timeout=3) as r:
            prefix = AFFINITY_COOKIE + "="
            for cookie in r.headers.get_all("Set-Cookie") or ():
                if cookie.startswith(prefix):
                    return int(cookie[len(prefix):].split(";", 1)[0])
    return None


def set_drained(run: RunDir, n: int, drained: bool) -> dict:
    """Take server ``n`` out of (or put it back into) every upstream and reload nginx gracefully.

    Returns once nginx routes by the new file: a browser whose cookie names ``n`` is answered by
    another server (drained) or by ``n`` again (back).
    """
    layout = run.layout()
    _number(layout, n)
    others = set(layout.drained) - {n}
    layout = layout.with_drained(others | {n} if drained else others)
    write_nginx(run, layout)
    run.rpc().signalProcess("nginx", "HUP")
    url = run.proxy_url()
    wait_until(lambda: (routed_to(url, n) not in (None, n)) if drained else routed_to(url, n) == n,
               f"nginx did not {'drain' if drained else 'restore'} server {n}", timeout=30)
    return {"server": n, "drained": drained, "upstreams": sorted(set(layout.numbers) - set(layout.drained))}


# --------------------------------------------------------------------------- operations on one server
def server_status(run: RunDir) -> dict:
    layout = run.layout()
    rpc = run.rpc()
    servers = []
    for n in layout.numbers:
        info = rpc.getProcessInfo(app_name(n))
        addr = layout.address(n)
        servers.append({"server": n, "address": addr, "pid": info["pid"] or None, "state": info["statename"],
                        "healthy": healthy(f"http://{addr}/_stcore/health"), "drained": n in layout.drained})
    nginx = rpc.getProcessInfo("nginx")
    return {"url": run.proxy_url(), "run_dir": str(run.path), "servers": servers,
            "proxy": {"pid": nginx["pid"] or None, "state": nginx["statename"],
                      "healthy": healthy(run.proxy_url() + PROXY_HEALTH)}}


def kill(run: RunDir, n: int) -> dict:
    """SIGKILL server ``n`` (a crash); supervisord starts it again, as systemd would on a machine."""
    layout = run.layout()
    _number(layout, n)
    rpc = run.rpc()
    pid = rpc.getProcessInfo(app_name(n))["pid"]
    if not pid:
        raise DeployError(f"server {n} is not running")
    rpc.signalProcess(app_name(n), "KILL")
    return {"server": n, "killed_pid": pid}


def wait_healthy(run: RunDir, n: int) -> None:
    addr = run.layout().address(n)
    wait_until(lambda: healthy(f"http://{addr}/_stcore/health"), f"server {n} ({addr}) health check")


def restart(run: RunDir, n: int) -> dict:
    """Graceful restart: drain ``n`` (its browsers move on, the others keep serving), restart it,
    wait for its health check, put it back."""
    t0 = time.monotonic()
    rpc = run.rpc()
    old = rpc.getProcessInfo(app_name(_number(run.layout(), n)))["pid"]
    set_drained(run, n, True)
    with contextlib.suppress(xmlrpc.client.Fault):  # NOT_RUNNING: it had crashed; start it anyway
        rpc.stopProcess(app_name(n), True)
    rpc.startProcess(app_name(n), True)
    wait_healthy(run, n)
    set_drained(run, n, False)
    return {"server": n, "old_pid": old, "new_pid": rpc.getProcessInfo(app_name(n))["pid"],
            "seconds": round(time.monotonic() - t0, 1)}


# --------------------------------------------------------------------------- up
def migrate(database_url: str) -> None:
    """The workshop schema on ``database_url``, once, before any server starts."""
    from workshop.db import make_engine, migrate as upgrade
    from workshop.settings import sqlalchemy_url

    engine = make_engine(sqlalchemy_url(database_url))
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def start_postgres() -> tuple[str, dict]:
    """A throwaway PostgreSQL cluster (scripts/pg-test.sh) in a fresh folder under the system's temp
    directory, which the ``postgres`` user can reach (a run directory may sit under a private one)."""
    folder = tempfile.mkdtemp(prefix="zc-deploy-pg-")
    os.chmod(folder, 0o755)
    env = {**os.environ, "PG_TEST_DIR": folder, "PG_TEST_PORT": str(free_port())}
    out = subprocess.run([str(REPO / "scripts" / "pg-test.sh"), "start"], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise DeployError("local PostgreSQL did not start: " + (out.stderr.strip() or out.stdout.strip())[-300:])
    url = out.stdout.strip().rsplit("TEST_DATABASE_URL=", 1)[-1]
    return url, env


def stop_postgres(env: dict) -> None:
    subprocess.run([str(REPO / "scripts" / "pg-test.sh"), "stop"], env=env, capture_output=True)


def _streamlit(script: str, host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", script, "--server.address", host, "--server.port", str(port),
            "--server.headless", "true", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
            # XSRF and CORS protection stay on: behind the proxy every request is same-origin.
            "--server.enableXsrfProtection", "true", "--server.enableCORS", "true"]


def up(args: argparse.Namespace) -> int:
    run = RunDir(args.run_dir)
    if run.alive():
        raise DeployError(f"a deployment is already running in {run.path} (stop it with: python -m deploy down)")
    script = Path(args.script)
    if not (REPO / script).is_file():
        raise DeployError(f"no such script in the repository: {args.script}")
    if args.servers < 1:
        raise DeployError("--servers must be at least 1")
    if args.port and not port_free(args.listen_host, args.port):
        raise DeployError(f"port {args.port} on {args.listen_host} is taken: choose another with --port (0 = any free one)")
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(run.path / "nginx-temp")
    for d in (run.path, run.logs, *(run.path / "nginx-temp" / x for x in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))):
        d.mkdir(parents=True, exist_ok=True)

    pg_env = None
    database_url = args.database_url or os.environ.get("DATABASE_URL", "").strip()
    # Ctrl-C and SIGTERM stop everything (SIGINT too when inherited as ignored, e.g. from `cmd &`).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if not database_url:
            database_url, pg_env = start_postgres()
        migrate(database_url)
        host = args.host
        ports = [args.base_port + i if args.base_port else free_port(host) for i in range(args.servers)]
        listen = f"{args.listen_host}:{args.port or free_port(args.listen_host)}"
        layout = Layout(tuple(f"{host}:{p}" for p in ports), listen)
        write_nginx(run, layout)
        programs = [Program(app_name(n), _streamlit(str(script), host, ports[n - 1]), REPO) for n in layout.numbers]
        programs.append(Program("nginx", [NGINX, "-p", str(run.path), "-c", str(run.nginx_conf),
                                          "-e", str(run.logs / "nginx-error.log"), "-g", "daemon off;"], run.path))
        # Two malloc arenas per server: see ui/process.py (peak RSS of 30 sessions 1.16 GB → 0.48 GB).
        run.supervisord_conf.write_text(supervisord_conf(run.path, programs, {"MALLOC_ARENA_MAX": "2"}),
                                        encoding="utf-8")
        # Secrets go through the environment, never into the files above. Every server signs cookies
        # with the same secret, so a browser that moves between them is still recognised.
        env = {**os.environ, "DATABASE_URL": database_url,
               "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or secrets.token_hex(32)}
        with open(run.logs / "supervisord.err", "ab") as err:
            sup = subprocess.Popen([sys.executable, "-m", "supervisor.supervisord", "-c", str(run.supervisord_conf)],
                                   env=env, cwd=run.path, start_new_session=True, stdout=subprocess.DEVNULL, stderr=err)
        try:
            for n in layout.numbers:
                wait_until(lambda n=n: healthy(f"http://{layout.address(n)}/_stcore/health") or sup.poll() is not None,
                           f"server {n} ({layout.address(n)}) health check")
                if sup.poll() is not None:
                    raise DeployError(f"supervisord exited ({sup.returncode}); see {run.logs}")
            wait_until(lambda: healthy(f"http://{listen}{PROXY_HEALTH}"), "nginx health check")
            status = server_status(run)
            database = f"throwaway PostgreSQL in {pg_env['PG_TEST_DIR']}" if pg_env else "DATABASE_URL"
            print(json.dumps({"ready": True, **status, "database": database}), flush=True)
            print(f"\nZhoucun simulator on {len(ports)} server(s): http://{listen}/   (Ctrl-C stops everything)",
                  file=sys.stderr, flush=True)
            while sup.poll() is None:
                time.sleep(0.3)
            return sup.returncode  # `python -m deploy down`: 0
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM, at any point after supervisord started
            return 0
        finally:
            _shield()
            if sup.poll() is None:
                sup.send_signal(signal.SIGTERM)  # supervisord stops every program, then exits
                try:
                    sup.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    sup.kill()
                    sup.wait()
    except KeyboardInterrupt:  # before supervisord started (PostgreSQL, migrations)
        return 0
    finally:
        _shield()
        if pg_env is not None:
            stop_postgres(pg_env)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def _shield() -> None:
    """A second Ctrl-C (or SIGTERM) must not cut the clean-up short."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


# --------------------------------------------------------------------------- command line
def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m deploy", description="N Streamlit servers behind nginx.")
    p.add_argument("--run-dir", help="the deployment's files (default $ZC_DEPLOY_DIR or var/deploy)")
    # --run-dir also after the command (deploy/run-local.sh --run-dir D); SUPPRESS keeps a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--run-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, parents=[common])

    u = command("up", "start PostgreSQL (unless given), N servers and nginx; Ctrl-C stops all")
    u.add_argument("--servers", "-n", type=int, default=2, help="number of app servers (default 2)")
    u.add_argument("--port", type=int, default=8080, help="the proxy's port (0: a free one; default 8080)")
    u.add_argument("--listen-host", default="127.0.0.1", help="the proxy's address (0.0.0.0 for a LAN)")
    u.add_argument("--host", default="127.0.0.1", help="the app servers' address")
    u.add_argument("--base-port", type=int, default=0, help="first app server port (default: free ports)")
    u.add_argument("--script", default="app.py", help="the Streamlit script (e.g. bench/trivial_app.py)")
    u.add_argument("--database-url", default="", help="default $DATABASE_URL, else a throwaway PostgreSQL")
    command("status", "servers, PIDs, health, drained")
    command("down", "stop every server, nginx and the throwaway PostgreSQL")
    for name, text in (("pid", "print server K's PID"), ("kill", "SIGKILL server K (supervisord restarts it)"),
                       ("stop", "stop server K (stays down)"), ("start", "start server K, wait for its health"),
                       ("drain", "take server K out of nginx"), ("undrain", "put server K back into nginx"),
                       ("restart", "graceful restart of server K: drain, restart, wait healthy, put back")):
        command(name, text).add_argument("k", type=int)
    command("migrate", "create/upgrade the workshop schema on $DATABASE_URL")
    s = command("nginx-site", "print the nginx site for app servers on other hosts/ports")
    s.add_argument("--servers", required=True, help="comma-separated host:port of the app servers")
    s.add_argument("--listen", default="80")
    s.add_argument("--drain", default="", help="comma-separated server numbers to leave out")
    return p


def _run(args: argparse.Namespace) -> dict | int | None:
    if args.command == "up":
        return up(args)
    if args.command == "migrate":
        url = os.environ.get("DATABASE_URL", "").strip()
        if not url:
            raise DeployError("set DATABASE_URL (the PostgreSQL every server shares)")
        migrate(url)
        return {"migrated": True}
    if args.command == "nginx-site":
        servers = tuple(s.strip() for s in args.servers.split(",") if s.strip())
        listen = args.listen if ":" in args.listen else f"0.0.0.0:{args.listen}"
        try:
            drained = frozenset(int(x) for x in args.drain.split(",") if x.strip())
            layout = Layout(servers, listen, drained)
        except ValueError as exc:
            raise DeployError(str(exc)) from None
        from .config import http_block

        sys.stdout.write(http_block(layout))
        return None
    run = RunDir(args.run_dir)
    if args.command == "status":
        return server_status(run)
    if args.command == "down":
        run.rpc().shutdown()
        return {"stopped": str(run.path)}
    layout = run.layout()
    n = _number(layout, args.k)
    if args.command == "pid":
        pid = run.rpc().getProcessInfo(app_name(n))["pid"]
        if not pid:
            raise DeployError(f"server {n} is not running")
        print(pid)
        return None
    if args.command == "kill":
        return kill(run, n)
    if args.command == "stop":
        run.rpc().stopProcess(app_name(n), True)
        return {"server": n, "state": "STOPPED"}
    if args.command == "start":
        run.rpc().startProcess(app_name(n), True)
        wait_healthy(run, n)
        return {"server": n, "pid": run.rpc().getProcessInfo(app_name(n))["pid"], "healthy": True}
    if args.command in ("drain", "undrain"):
        return set_drained(run, n, args.command == "drain")
    return restart(run, n)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result = _run(args)
    except DeployError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except xmlrpc.client.Fault as exc:  # supervisord refused (e.g. ALREADY_STARTED, NOT_RUNNING)
        print(f"error: supervisord: {exc.faultString}", file=sys.stderr)
        return 2
    if isinstance(result, int):
        return result
    if result is not None:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0
