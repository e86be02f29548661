"""Several app servers behind nginx (``deploy/``): N = 2 started by the real command, driven through the proxy.

The deployment is ``python -m deploy up`` itself (supervisord, nginx, two Streamlit servers) against the
test PostgreSQL (``TEST_DATABASE_URL``). What is checked is what a browser gets through the proxy: the
two servers share the browsers, the affinity cookie keeps one browser's websocket, upload and download
on one server, a graceful restart of one server leaves the other serving, and a server killed under a
room of participants loses none of the submissions they saw confirmed.

Needs nginx, Chromium (Playwright) and PostgreSQL: skipped locally without them, failed when CI=true.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from testkit.browser import CARD, REPO, artifacts_dir, slider_input, wait_idle
from testkit.waits import wait_until
from deploy.config import AFFINITY_COOKIE, Layout, http_block, nginx_conf, upload_cap_mb
from workshop_support import PHONE, count, expect, in_ci, need_postgres

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
#: A deployment on a shared two-core machine: PostgreSQL, two servers and nginx within this many seconds.
START_TIMEOUT_S = 240
SHOTS = "deploy"
#: Seconds between two submissions of one participant (instead of the default five, so rounds are quick).
SUBMIT_INTERVAL_S = 1.0


def need(what: str, ok: bool, install: str) -> None:
    if ok:
        return
    if in_ci():
        pytest.fail(f"deployment tests must run in CI, but {what} is missing ({install})", pytrace=False)
    pytest.skip(f"deployment tests skipped: {what} is missing ({install})")


def need_nginx() -> None:
    need(NGINX, os.access(NGINX, os.X_OK), "apt-get install nginx")


# --------------------------------------------------------------------------- the configuration
def test_layout_numbers_servers_and_refuses_what_is_not_host_port():
    layout = Layout(("10.0.0.2:8501", "10.0.0.2:8502", "10.0.0.3:8501"), "0.0.0.0:80", frozenset({2}))
    assert list(layout.numbers) == [1, 2, 3] and layout.address(3) == "10.0.0.3:8501"
    assert Layout.from_json(layout.to_json()) == layout
    for bad in ((), ("10.0.0.2",), ("a b:80",), ("h:1; include /etc/passwd",)):
        with pytest.raises(ValueError):
            Layout(bad)
    with pytest.raises(ValueError, match="no server number"):
        Layout(("h:1", "h:2"), drained=frozenset({3}))


def _blocks(conf: str) -> dict[str, list[str]]:
    """``upstream NAME { server …; }`` → {NAME: [server lines]}."""
    return {m.group(1): [s.strip() for s in m.group(2).strip().splitlines() if s.strip().startswith("server")]
            for m in re.finditer(r"upstream (\w+) \{\n(.*?)\}", conf, re.S)}


def test_nginx_site_has_one_group_per_server_with_the_others_as_backup():
    servers = ("10.0.0.2:8501", "10.0.0.2:8502", "10.0.0.3:8501")
    conf = http_block(Layout(servers, "0.0.0.0:80"), upload_mb=25)
    ups = _blocks(conf)
    assert set(ups) == {"zc_all", "zc_s1", "zc_s2", "zc_s3"}
    assert [s.split()[1] for s in ups["zc_all"]] == list(servers)
    for n, addr in enumerate(servers, 1):
        lines = ups[f"zc_s{n}"]
        assert lines[0].startswith(f"server {addr} ") and "backup" not in lines[0]
        assert sorted(s.split()[1] for s in lines[1:]) == sorted(set(servers) - {addr})
        assert all(s.endswith("backup;") for s in lines[1:])
        assert f"    {n} zc_s{n};" in conf  # cookie n → group n
        assert f'"~(^|[ ,]){re.escape(addr)}$" "{AFFINITY_COOKIE}={n}; Path=/; HttpOnly; SameSite=Lax";' in conf
    assert "client_max_body_size 26m;" in conf  # the app's 25 MB cap gets through nginx to Streamlit
    assert "proxy_pass http://$zc_pool;" in conf and "proxy_set_header Host $http_host;" in conf
    # Drained: out of every group (primary and backup), so nginx sends nothing new to it.
    drained = _blocks(http_block(Layout(servers, "0.0.0.0:80", frozenset({2})), upload_mb=25))
    for lines in drained.values():
        for s in lines:
            assert s.endswith(" down;") == (s.split()[1] == servers[1])


def test_upload_cap_is_read_from_the_apps_streamlit_config():
    import tomllib

    cfg = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert upload_cap_mb() == cfg["server"]["maxUploadSize"]


def test_nginx_accepts_the_generated_files(tmp_path):
    need_nginx()
    layout = Layout(("127.0.0.1:18501", "127.0.0.1:18502"), "127.0.0.1:18080", frozenset({1}))
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx-temp").mkdir()
    (tmp_path / "nginx.conf").write_text(nginx_conf(layout, tmp_path), encoding="utf-8")
    out = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                          "-e", str(tmp_path / "logs" / "error.log")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    # The site for a machine is the same block, printed by the command line.
    site = subprocess.run([sys.executable, "-m", "deploy", "nginx-site", "--servers", "127.0.0.1:18501,127.0.0.1:18502",
                           "--listen", "18080", "--drain", "1"], cwd=REPO, capture_output=True, text=True)
    assert site.returncode == 0, site.stderr
    assert site.stdout == http_block(Layout(("127.0.0.1:18501", "127.0.0.1:18502"), "0.0.0.0:18080", frozenset({1})))
    bad = subprocess.run([sys.executable, "-m", "deploy", "nginx-site", "--servers", "nohost"], cwd=REPO,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: not a host:port")


# --------------------------------------------------------------------------- a running deployment
class Deployment:
    """``python -m deploy up`` in a private run directory; stopped (as by Ctrl-C) at the end."""

    def __init__(self, run_dir: Path, *args: str, **env: str) -> None:
        self.run_dir = run_dir
        self.proc = subprocess.Popen([sys.executable, "-m", "deploy", "--run-dir", str(run_dir), "up", "--port", "0", *args],
                                     cwd=REPO, env={**os.environ, **env}, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in self.proc.stdout], daemon=True).start()
        try:
            self.ready = json.loads(lines.get(timeout=START_TIMEOUT_S))
        except (queue.Empty, json.JSONDecodeError):
            self.stop()
            raise RuntimeError(f"deploy up did not become ready:\n{self.stderr_tail}\n{self.logs()[-3000:]}")
        self.url = self.ready["url"]

    def ctl(self, *args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "deploy", "--run-dir", str(self.run_dir), *args], cwd=REPO,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    def logs(self) -> str:
        return "\n".join(Path(p).read_text(encoding="utf-8", errors="replace")
                         for p in sorted(glob.glob(str(self.run_dir / "logs" / "app-*.log"))))

    def stop(self) -> int:
        """SIGINT, as Ctrl-C in the terminal; returns the command's exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.stderr_tail = self.proc.stderr.read()[-3000:]
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):  # a zombie is gone for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    return False


def _stops_everything(dep: Deployment) -> None:
    pids = [s["pid"] for s in dep.ctl("status")["servers"]] + [dep.ready["proxy"]["pid"]]
    assert dep.stop() == 0, dep.stderr_tail
    assert not [p for p in pids if _pid_alive(p)], "servers or nginx outlived Ctrl-C"
    assert not (dep.run_dir / "supervisor.sock").exists()


@pytest.fixture(scope="module")
def deployment(_browser_ready, tmp_path_factory):
    need_nginx()
    url = need_postgres()
    # Revisions one second apart (instead of five) so the rounds are quick; participants wait that long between
    # two submissions of theirs, as the page asks.
    dep = Deployment(tmp_path_factory.mktemp("deploy"), "--servers", "2", DATABASE_URL=url,
                     WORKSHOP_SUBMIT_INTERVAL=str(SUBMIT_INTERVAL_S))
    yield dep
    logs = dep.logs()
    _stops_everything(dep)
    assert "Traceback" not in logs, logs[-3000:]


def _context(browser, contexts: list, viewport: dict, locale: str = "zh-CN", mobile: bool = False):
    ctx = browser.new_context(viewport=viewport, locale=locale, timezone_id="Asia/Shanghai", accept_downloads=True,
                              is_mobile=mobile, has_touch=mobile)
    ctx.set_default_timeout(60_000)
    contexts.append(ctx)
    return ctx


def _server_of(page) -> int:
    return int({c["name"]: c["value"] for c in page.context.cookies()}[AFFINITY_COOKIE])


def _open_app(browser, contexts: list, url: str):
    page = _context(browser, contexts, {"width": 1366, "height": 768}).new_page()
    page.goto(url)
    expect(page.locator(CARD)).to_have_count(4, timeout=90_000)
    wait_idle(page, 90_000)
    return page


def _download(page, key: str, path: Path) -> bytes:
    with page.expect_download(timeout=60_000) as info:
        page.locator(f".st-key-{key} button:visible").click()
    info.value.save_as(path)
    return path.read_bytes()


def _move(page) -> None:
    """One slider move (investment +1 step); returns once the doubling card shows the new value."""
    before = page.locator(CARD).first.get_attribute("data-value")
    slider_input(page, "investment").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("b => document.querySelector('div.zc-card').dataset.value !== b", arg=before, timeout=90_000)
    wait_idle(page, 90_000)


@pytest.mark.browser
def test_browsers_spread_over_both_servers_and_stay_on_theirs_for_upload_and_download(deployment, browser, tmp_path):
    status = deployment.ctl("status")
    assert [s["healthy"] for s in status["servers"]] == [True, True] and status["proxy"]["healthy"]
    assert len({s["pid"] for s in status["servers"]}) == 2
    contexts: list = []
    try:
        pages = [_open_app(browser, contexts, f"{deployment.url}/?lang=en") for _ in range(2)]
        # nginx's least_conn gives the second browser the server without a websocket: both get sessions.
        assert sorted(_server_of(p) for p in pages) == [1, 2]
        for i, page in enumerate(pages):
            home = _server_of(page)
            doc = json.loads(_download(page, "download_scenario", tmp_path / f"before{i}.json"))
            value = 17 + i
            assert doc.get("levers", {}).get("investment") != value  # the trend's defaults are left out
            doc.setdefault("levers", {})["investment"] = value
            scenario = tmp_path / f"mine{i}.json"
            scenario.write_text(json.dumps(doc), encoding="utf-8")
            page.get_by_text("Save / load scenario").click()
            # The upload goes to /_stcore/upload_file/<session>/…: only the session's own server accepts it.
            page.locator("[class*='st-key-upload_'] input[type=file]").first.set_input_files(str(scenario))
            expect(page.get_by_text("Loaded scenario file 'mine")).to_be_visible(timeout=90_000)
            page.wait_for_url(re.compile(rf"investment={value}\b"), timeout=90_000)
            wait_idle(page, 90_000)
            # A real download click: the file is served by the session's server (its /media or deferred route).
            again = json.loads(_download(page, "download_scenario", tmp_path / f"after{i}.json"))
            assert again["levers"]["investment"] == value
            assert _server_of(page) == home  # every request of this browser stayed on its server
    finally:
        for ctx in contexts:
            ctx.close()


#: Records, in the page, every change of the app's connection and script state (read by ``_RECONNECTED``).
_WATCH_STATES = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    const log = window.__zcStates = [];
    const note = () => log.push(app.dataset.testConnectionState + " " + app.dataset.testScriptState);
    note();
    new MutationObserver(note).observe(app, {attributes: true,
        attributeFilter: ["data-test-connection-state", "data-test-script-state"]});
}"""
#: The page lost its server, connected again, ran the whole script (reconnect.py) and is idle.
_RECONNECTED = """() => {
    const log = window.__zcStates || [];
    const lost = log.findIndex(s => !s.startsWith("CONNECTED "));
    if (lost < 0) return false;
    const ran = log.findIndex((s, i) => i > lost && s === "CONNECTED running");
    return ran > lost && log[log.length - 1] === "CONNECTED notRunning";
}"""


@pytest.mark.browser
def test_graceful_restart_of_one_server_while_the_other_serves(deployment, browser):
    contexts: list = []
    try:
        pages = [_open_app(browser, contexts, f"{deployment.url}/?lang=en") for _ in range(2)]
        by_server = {_server_of(p): p for p in pages}
        assert set(by_server) == {1, 2}
        moving = by_server[2]
        by_server[1].evaluate(_WATCH_STATES)
        old = deployment.ctl("status")["servers"]
        result: dict = {}
        worker = threading.Thread(target=lambda: result.update(deployment.ctl("restart", "1")))
        worker.start()
        moves = 0
        while worker.is_alive() and moves < 40:
            _move(moving)  # each move finishes (within its timeout) on server 2 while server 1 restarts
            moves += 1
        worker.join(timeout=300)
        assert result, "restart did not finish"
        assert moves >= 1
        assert result["server"] == 1 and result["old_pid"] == old[0]["pid"] and result["new_pid"] != old[0]["pid"]
        assert _server_of(moving) == 2
        now = deployment.ctl("status")["servers"]
        assert [s["healthy"] for s in now] == [True, True] and not any(s["drained"] for s in now)
        assert now[1]["pid"] == old[1]["pid"]  # the other server was never touched
        # The browser whose server restarted reconnects through the proxy and its page reruns at once
        # (ui/reconnect.py); a move after that redraw works. A move inside the redraw's first moments can
        # be lost: the new session drops a fragment rerun for a fragment its first run has not yet
        # registered (Streamlit's AppSession.request_rerun), and the cards then follow the next move.
        by_server[1].wait_for_function(_RECONNECTED, timeout=120_000)
        _move(by_server[1])
        print(f"\ngraceful restart of server 1: {result['seconds']} s, {moves} moves served by server 2 meanwhile")
    finally:
        for ctx in contexts:
            ctx.close()


# --------------------------------------------------------------------------- the kill test
PLAN = re.compile(r"(?:version |第 ?)(\d+)")


class Participant:
    """One person on a phone: joins, predicts, then submits plans with a new reason each time."""

    def __init__(self, page, name: str, lang: str) -> None:
        self.page, self.name, self.lang = page, name, lang
        self.confirmed: list[tuple[str, int]] = []  # (reason, version) the person saw stored
        self.saw_reconnect = ""
        self.last_seen = float("-inf")  # when the page last showed a plan as stored (time.monotonic)

    def join_and_predict(self, url: str, year: int) -> None:
        page = self.page
        page.goto(f"{url}&lang={self.lang}")
        wait_idle(page, 90_000)
        page.locator(".st-key-ws_name input").fill(self.name)
        page.locator(".st-key-ws_join button").click()
        expect(page.locator(".st-key-ws_predict button")).to_be_visible(timeout=90_000)
        wait_idle(page, 90_000)
        page.locator(".st-key-ws_prediction_value input").click()
        page.keyboard.type(str(year))
        page.get_by_role("option", name=str(year), exact=True).click()
        wait_idle(page, 90_000)
        page.locator(".st-key-ws_predict button").click()
        expect(page.locator(".st-key-ws_submit button")).to_be_visible(timeout=90_000)
        wait_idle(page, 90_000)

    def _note(self, notice) -> None:
        self.saw_reconnect = notice.inner_text()
        notice.scroll_into_view_if_needed()
        self.page.screenshot(path=str(artifacts_dir("screenshots", SHOTS) / f"reconnected_{self.lang}_{self.name}.png"))

    def wait_notice(self) -> None:
        """The reconnect notice (it stays until the person's next click)."""
        if not self.saw_reconnect:
            notice = self.page.get_by_test_id("ws-reconnected")
            expect(notice).to_be_visible(timeout=90_000)
            self._note(notice)

    def click_submit(self, reason: str) -> None:
        # A person does not submit twice within the room's interval (the page would refuse it with
        # "please wait"); rounds of this test follow each other faster than that. A sleep, because
        # waiting out the interval in real time is what the person does: there is no event to await.
        time.sleep(max(0.0, self.last_seen + SUBMIT_INTERVAL_S + 0.2 - time.monotonic()))
        self.page.locator(".st-key-ws_reason input").fill(reason)
        self.page.locator(".st-key-ws_submit button").click()

    def stored(self) -> str:
        plan = self.page.get_by_test_id("ws-my-plan")
        return plan.inner_text() if plan.count() else ""

    def wait_confirmed(self, reason: str, timeout: float = 120.0) -> None:
        """Until the page shows ``reason`` as the stored plan. A page that reconnected to another server
        and does not show it is submitted again, as its notice tells the person to."""
        deadline = time.monotonic() + timeout
        resubmitted, settled = False, 0
        while time.monotonic() < deadline:
            shown = self.stored()
            if reason in shown:
                self.last_seen = time.monotonic()
                self.confirmed.append((reason, int(PLAN.search(shown).group(1))))
                return
            notice = self.page.get_by_test_id("ws-reconnected")
            visible = notice.count() > 0
            if visible and not self.saw_reconnect:
                self._note(notice)
            idle = self.page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']"
                                     "[data-test-script-state='notRunning']").count()
            # The notice on an idle page for 1.5 s: this session began after the click, which was lost.
            settled = settled + 1 if visible and idle else 0
            if settled >= 5 and not resubmitted:
                self.click_submit(reason)
                resubmitted = True
            time.sleep(0.3)  # a poll with a deadline: the page shows one of two outcomes, or it fails below
        shot = artifacts_dir("screenshots", SHOTS) / f"unconfirmed_{self.lang}_{self.name}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        raise AssertionError(f"{self.name}: {reason!r} never shown as stored; page shows {self.stored()!r}; "
                             f"reconnect notice seen: {self.saw_reconnect!r}; resubmitted: {resubmitted}; "
                             f"page: {self.page.locator('body').inner_text()[:1500]!r}; see {shot}")


@pytest.mark.browser
def test_a_server_killed_under_a_room_loses_no_confirmed_submission(deployment, browser):
    from model import load_baseline
    from workshop import Settings, Store, parse_room_spec

    store = Store(Settings.from_env({"DATABASE_URL": need_postgres()}))
    spec = parse_room_spec({"title": "Kill test", "levers": ["investment", "tech_upgrade"]}, load_baseline())
    room = store.create_room(spec)
    contexts: list = []
    try:
        board = _context(browser, contexts, {"width": 1920, "height": 1080}).new_page()
        board.goto(f"{deployment.url}/?room={room.code}&key={room.key}&lang=en")
        expect(count(board, 0)).to_have_text("0", timeout=90_000)
        people = []
        for i, (name, lang) in enumerate((("Ann", "en"), ("Bo", "zh"), ("Cai", "zh"), ("Dee", "en"))):
            page = _context(browser, contexts, PHONE, "zh-CN" if lang == "zh" else "en-US", True).new_page()
            person = Participant(page, name, lang)
            person.join_and_predict(f"{deployment.url}/?room={room.code}", 2029 + i)
            people.append(person)
        homes = {p.name: _server_of(p.page) for p in people}
        victim = _server_of(board)  # the facilitator's server dies too
        on_victim = [p for p in people if homes[p.name] == victim]
        print(f"\nhomes {homes}, victim {victim}")
        assert on_victim and len(on_victim) < len(people), homes  # least_conn put people on both servers

        def round_(k: int, kill: bool = False) -> None:
            for p in people:
                p.click_submit(f"{p.name} plan {k} ·")
            if kill:  # mid-way: the submissions of this round are in flight when the server dies
                assert deployment.ctl("kill", str(victim))["server"] == victim
            for p in people:
                p.wait_confirmed(f"{p.name} plan {k} ·")
            if kill:  # a submission confirmed just before the kill: the notice comes with the reconnect
                for p in on_victim:
                    p.wait_notice()

        round_(1)
        round_(2)
        round_(3, kill=True)
        round_(4)
        round_(5)

        # What the people on the killed server saw: the reconnect notice in their language, naming their plan.
        for p in on_victim:
            assert p.saw_reconnect, f"{p.name} got no reconnect notice"
            if p.lang == "en":
                assert p.saw_reconnect.startswith("Reconnected. You are still the same participant")
                assert re.search(r"submitted plan \(version \d+\)", p.saw_reconnect)
            else:
                assert p.saw_reconnect.startswith("已重新连接。你仍是同一位参与者")
                assert re.search(r"已提交的方案（第 \d+ 版）", p.saw_reconnect)
            assert _server_of(p.page) != victim  # moved to the live server (its cookie follows)
        for p in people:
            assert p.saw_reconnect == "" or p in on_victim  # nobody else was disturbed

        # Every submission a person saw stored is in the database: none lost.
        snap = store.snapshot(room.code, room.key)
        db = {q.name: q for q in snap.participants}
        lost = 0
        for p in people:
            versions = [v for _, v in p.confirmed]
            assert len(p.confirmed) == 5 and versions == sorted(set(versions)), p.confirmed
            lost += sum(v > db[p.name].revisions for v in versions)
            assert db[p.name].reason == p.confirmed[-1][0]
            assert db[p.name].revisions >= versions[-1]
        confirmed = sum(len(p.confirmed) for p in people)
        stored = sum(q.revisions for q in snap.participants)
        print(f"\nkill test: {len(people)} participants, {len(on_victim)} on the killed server {victim}; "
              f"{confirmed} submissions confirmed, {stored} revisions in the database, lost {lost}")
        assert lost == 0 and stored >= confirmed

        # The board moved to the live server with its key from the link, and counts every plan.
        expect(count(board, 0)).to_have_text(str(len(people)), timeout=90_000)
        expect(count(board, 2)).to_have_text(str(len(people)), timeout=90_000)
        assert _server_of(board) != victim
        # A lock on the board reaches every phone without a click there (the page watches its room).
        board.locator(".st-key-ws_lock button").click()
        for p in people:
            expect(p.page.locator(".st-key-ws_submit button")).to_have_count(0, timeout=90_000)
            expect(p.page.get_by_role("alert")).to_contain_text("锁定" if p.lang == "zh" else "closed this room")
        # supervisord brought the killed server back.
        wait_until(lambda: all(s["healthy"] for s in deployment.ctl("status")["servers"]),
                   "supervisord to bring the killed server back (both servers healthy)", timeout=120, interval=1,
                   detail=lambda: f"status {deployment.ctl('status')['servers']}")

        board.screenshot(path=str(artifacts_dir("screenshots", SHOTS) / "board_after_kill_en.png"))
    finally:
        for ctx in contexts:
            ctx.close()
        store.delete_room(room.code, room.key)
        store.dispose()


# --------------------------------------------------------------------------- the trivial page, own PostgreSQL
@pytest.mark.browser
def test_another_script_behind_the_proxy_with_a_throwaway_postgresql(_browser_ready, browser, tmp_path):
    need_nginx()
    need("PostgreSQL server binaries", bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) and os.geteuid() == 0,
         "apt-get install postgresql; run as root")
    dep = Deployment(tmp_path / "run", "--servers", "2", "--script", "bench/trivial_app.py", DATABASE_URL="")
    contexts: list = []
    pg_dir = Path(dep.ready["database"].removeprefix("throwaway PostgreSQL in "))
    try:
        assert (pg_dir / "data" / "PG_VERSION").is_file()  # its own cluster
        page = _context(browser, contexts, {"width": 1366, "height": 768}).new_page()
        page.goto(dep.url + "/")
        expect(page.locator("[data-testid='stSlider']")).to_have_count(1, timeout=90_000)
        expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(1)
        assert page.locator(CARD).count() == 0
        assert _server_of(page) in (1, 2)
    finally:
        for ctx in contexts:
            ctx.close()
        _stops_everything(dep)
    assert not pg_dir.exists()  # the throwaway cluster is gone with Ctrl-C
    shutil.rmtree(tmp_path / "run", ignore_errors=True)


# --------------------------------------------------------------------------- issue 21: the proxy's log and long links
def test_the_site_and_the_local_config_log_no_query_string(tmp_path):
    """Finding 8: the log format names the path ($uri), never the request line, query or Referer."""
    layout = Layout(("127.0.0.1:18501",), "127.0.0.1:18080")
    for conf in (http_block(layout), nginx_conf(layout, tmp_path)):
        formats = re.findall(r"log_format (\w+) (.*?);\n", conf)
        assert len(formats) == 1 and "$uri" in formats[0][1]
        for leak in ("$request ", "$request\"", "$request_uri", "$args", "$query_string", "$http_referer", "$arg_"):
            assert leak not in formats[0][1], leak
        logs = re.findall(r"access_log (\S+)(?: (\w+))?;", conf)
        assert logs and all(fmt == formats[0][0] for _, fmt in logs), logs  # no log in nginx's default format
        assert "large_client_header_buffers 4 96k;" in conf


def _get(url: str) -> int:
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(scope="module")
def one_server(tmp_path_factory):
    """``python -m deploy up`` with one app server (the real nginx config, the real app)."""
    need_nginx()
    dep = Deployment(tmp_path_factory.mktemp("deploy1"), "--servers", "1", DATABASE_URL=need_postgres())
    yield dep
    _stops_everything(dep)


def test_the_proxy_log_holds_no_key_or_token(one_server):
    """Finding 8: nginx logged ``?room=…&key=…`` and ``&p=…`` with the client's address."""
    key, token = "FacilitatorKey-" + "k" * 20, "ParticipantToken-" + "t" * 20
    for path in (f"/?room=ABCDEF&key={key}&lang=en", f"/?room=ABCDEF&p={token}", "/?workshop=new"):
        assert _get(one_server.url + path) == 200
    log = one_server.run_dir / "logs" / "nginx-access.log"
    wait_for = time.monotonic() + 10
    def page_lines() -> int:  # nginx writes a line when a response is done
        return sum('"GET /' in line and "/healthz" not in line for line in log.read_text(encoding="utf-8").splitlines())

    while page_lines() < 3:
        assert time.monotonic() < wait_for, f"three requests never reached the access log:\n{log.read_text()}"
        time.sleep(0.1)
    text = log.read_text(encoding="utf-8")
    for secret in (key, token, "key=", "p=", "room=", "?"):
        assert secret not in text, (secret, text[-2000:])


def test_a_long_shared_link_passes_the_proxy(one_server):
    """Finding 9: above ~8 kB nginx answered 414 while the app served the link; now every parameter the app
    writes at its own limit (20 000 characters each) passes, and beyond nginx's buffer it is still 414."""
    from ui.state import MAX_URL_VALUE
    value = "z:" + "A" * (MAX_URL_VALUE - 2)
    link = "/?" + "&".join(f"{k}={value}" for k in ("projects", "sectors", "targets", "compare")) + "&tab=compare"
    assert len(link) > 80_000
    direct = one_server.ctl("status")["servers"][0]
    assert _get(f"http://{direct['address']}{link}") == 200  # the app server itself takes it
    assert _get(one_server.url + link) == 200
    assert _get(one_server.url + "/?compare=" + "A" * 100_000) == 414  # the buffer still bounds a request
