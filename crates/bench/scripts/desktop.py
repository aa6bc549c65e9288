#!/usr/bin/python3
"""Start time and footprint of the desktop app under Xvfb, against a static page in the
same WebKit (WebKit2GTK 4.1 through PyGObject) measured the same way.

Start: from spawning the process until the screen first shows rendered text (sampled
pixels of the root window take more than COLORS distinct colors), median of RUNS launches.
Footprint: resident set (VmRSS) of the process and of all its descendants (WebKit's web and
network processes) after IDLE_S seconds idle; for the app, again after `wxsim-bench flood`
delivered 100,000 agent messages over its callback listener.

Usage (inside xvfb-run): desktop.py APP_BIN DATA_DIR LISTEN BENCH_BIN
BENCH_PIN (e.g. "taskset -c 1"), when set, is put before the app's and the static page's
command (not the flood's): `scripts/bench.sh --slow`.
Prints RESULT lines: start_app start_static rss_app_idle rss_all_idle rss_static_all
rss_app_after rss_all_after rss_static_app (seconds and MB).
"""
import os
import signal
import statistics
import subprocess
import sys
import time

import gi

gi.require_version("Gdk", "3.0")
from gi.repository import Gdk  # noqa: E402

RUNS = 3
COLORS = 24
IDLE_S = 5
STATIC_PAGE = """
import gi
gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2
w = Gtk.Window(title="static")
w.set_default_size(1024, 700)
v = WebKit2.WebView()
v.load_html("<body style='font-family:sans-serif'><h1>wxsim</h1><p>"
            + "A static page with some text to paint. " * 40 + "</p></body>", "about:blank")
w.add(v)
w.connect("destroy", Gtk.main_quit)
w.show_all()
Gtk.main()
"""


def distinct_colors():
    root = Gdk.get_default_root_window()
    width, height = root.get_width(), root.get_height()
    pixbuf = Gdk.pixbuf_get_from_window(root, 0, 0, width, height)
    if pixbuf is None:
        return 0
    data = pixbuf.get_pixels()
    step = pixbuf.get_n_channels() * 7
    return len({data[i:i + 3] for i in range(0, len(data) - 3, step)})


PIN = os.environ.get("BENCH_PIN", "").split()


def launch(argv, env):
    """Spawns argv (after PIN) and answers (process, seconds until rendered text shows)."""
    begun = time.monotonic()
    proc = subprocess.Popen(PIN + argv, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while distinct_colors() <= COLORS:
        if proc.poll() is not None:
            raise SystemExit(f"{argv[0]} exited with {proc.returncode} before painting")
        if time.monotonic() - begun > 60:
            raise SystemExit(f"{argv[0]} did not paint within 60 s")
        time.sleep(0.02)
    return proc, time.monotonic() - begun


def stop(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    time.sleep(0.5)


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def footprint(proc):
    """(MB of the process itself, MB of it and all its descendants)."""
    return rss_mb(proc.pid), sum(rss_mb(p) for p in descendants(proc.pid))


def main():
    app, data_dir, listen, bench = sys.argv[1:5]
    env = dict(os.environ, WXSIM_DATA_DIR=data_dir, WXSIM_LISTEN=listen,
               RUST_LOG="warn", WEBKIT_DISABLE_COMPOSITING_MODE="1")
    static_argv = ["/usr/bin/python3", "-c", STATIC_PAGE]
    app_times, static_times = [], []
    for _ in range(RUNS):
        proc, secs = launch(static_argv, env)
        static_times.append(secs)
        time.sleep(IDLE_S)
        static_app, static_all = footprint(proc)
        stop(proc)
        proc, secs = launch([app], env)
        app_times.append(secs)
        stop(proc)
    print(f"start s: app {app_times}, static {static_times}", flush=True)
    proc, _ = launch([app], env)
    time.sleep(IDLE_S)
    app_idle, all_idle = footprint(proc)
    print(f"idle MB: app {app_idle:.1f}, all {all_idle:.1f}", flush=True)
    subprocess.run([bench, "flood", "--listener", f"http://{listen}", "--count", "100000"],
                   check=True)
    time.sleep(IDLE_S)
    app_after, all_after = footprint(proc)
    print(f"after 100k MB: app {app_after:.1f}, all {all_after:.1f}", flush=True)
    stop(proc)
    print("RESULT " + " ".join(f"{x:.3f}" for x in [
        statistics.median(app_times), statistics.median(static_times),
        app_idle, all_idle, static_all, app_after, all_after, static_app]))


if __name__ == "__main__":
    main()
