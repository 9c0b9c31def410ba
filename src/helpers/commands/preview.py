"""``report preview``: one edition's web pages on localhost, rebuilt when a source changes, reloaded in the browser.

The site is built with the builtin engine (HTML only, ``report build`` in a process of its own each time) into a
temporary folder and served from there by a small HTTP server in a thread. Watchers follow ``chapters/``, ``data/``, ``src/helpers/`` and the ``_quarto*.yml``
files; after a change the edition is rebuilt (the cache re-executes only what the change affects) and every
open page reloads itself: each served HTML page gets a short script that asks ``/__build`` every ``POLL_MS`` for
the build number. A failed build keeps the last good site in place and shows the error in the terminal and in
a banner at the top of the open pages. Nothing is fetched from outside localhost.

A Jupyter kernel waits for the next build, started as a build would start it and with the chapters' libraries
loaded (``kernel.Waiting``): a build that executes a chapter takes it instead of starting its own, and a new one
is started after that build. So is the next build's process, with the engine imported (``ahead.Ahead``); an edit
to a helper since it started makes the build start a new one, which imports the helpers as they are.

Stopped by Ctrl-C, SIGTERM or SIGHUP, the preview stops a build under way and removes its temporary folder; a
build it started ends with it even if it is killed (``processes.die_with_parent``), and the next preview removes
the temporary folder a killed one left (its name holds the preview's pid).
"""

from __future__ import annotations

import html
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from helpers.commands.ahead import Ahead
from helpers.core.files import alive
from helpers.core.processes import child_setup, end
from helpers.engines.kernel import WAITING, Waiting

BUILD_ENDPOINT = "/__build"
BESIDE_THE_SITE = ("/notebooks/", "/source/")  # published beside html/, linked from every chapter page
WATCHED_DIRS = ("chapters", "data", "src/helpers")
POLL_MS = 100  # an open page asks for the build number this often (localhost: small, and no connection held)
STEP_MS = 20  # the watchers hand on changes once none has come for this long (watchfiles' own default: 50)

# injected into every served page, in preview only
_CLIENT = """<script>
(function () {
  var version = %(version)d;
  function banner(error) {
    var box = document.getElementById("preview-banner");
    if (!error) { if (box) { box.remove(); } return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "preview-banner";
      box.className = "preview-banner";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:100;max-height:40vh;overflow:auto;" +
        "margin:0;padding:.6rem 1rem;background:#b3261e;color:#fff;font:13px/1.4 monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = error;
  }
  function poll() {
    fetch("%(endpoint)s", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (s) {
      banner(s.error);
      if (s.version !== version && !s.error) { location.reload(); }
    }).catch(function () {}).then(function () { setTimeout(poll, %(poll)d); });
  }
  setTimeout(poll, %(poll)d);
})();
</script>
"""


class Preview:
    """Build, serve and rebuild one edition."""

    def __init__(self, root: Path, lang: str = "kk", *, port: int = 8000, host: str = "127.0.0.1",
                 output: Path | None = None, log: Callable[[str], None] | None = None):
        self.root = Path(root).resolve()
        self.lang = lang
        self.host, self.port = host, port
        self._own_output = output is None
        self.left_behind = [] if output else _remove_left_behind()
        self.output = Path(output) if output else Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-{lang}-"))
        self.log = log or (lambda m: print(m, flush=True))
        self.version = 0          # number of the last good build; 0 before the first one succeeded
        self.error: str | None = None
        self.building = False
        self._lock = threading.Lock()
        self._changes: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.server: ThreadingHTTPServer | None = None
        self._proc: subprocess.Popen | None = None  # the build under way, if any
        # a kernel started ahead of the next build that executes a chapter (a data or code edit)
        self.waiting = Waiting(self.root, self.output / ".waiting-kernel.json")
        # --root: this project, even if REPORT_ROOT names another copy of it
        self.arguments = ["--root", str(self.root), "build", "--lang", self.lang, "--to", "html",
                          "--output", str(self.output)]
        self.environment = {**os.environ, WAITING: str(self.waiting.file)}
        # the next build's process, started ahead of the edit (by the builder thread, which it must not outlive)
        self.ahead: Ahead | None = None

    # --- building -----------------------------------------------------------------------------------

    @property
    def site(self) -> Path:
        return self.output / self.lang / "html"

    def build(self) -> bool:
        """Rebuild the edition's HTML in a process of its own (the one started ahead, or a new one when a helper
        changed since), so that an edit to any helper, the engine's own modules included, takes effect; on
        failure keep the last good site and remember the error."""
        self.building = True
        start = time.perf_counter()
        lines: list[str] = []
        proc = None
        try:
            proc, why = self.ahead.take() if self.ahead else (None, "")
            if proc is None:
                if why:
                    self.log(f"[{self.lang}] build: {why}; starting one")
                # the build ends with the preview, however it ends (its own temporary files with it)
                proc = subprocess.Popen([sys.executable, "-m", "helpers", *self.arguments], cwd=self.root,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                                        errors="replace", env=self.environment, preexec_fn=child_setup())
            else:
                self.log(f"[{self.lang}] build: {why}")
            self._proc = proc
            for line in proc.stdout:
                line = line.rstrip("\n")
                lines.append(line)
                self.log(line)
            code = proc.wait()
        finally:
            self.building = False
            if proc is not None and proc.poll() is None:  # interrupted while it runs: it stops too
                end(proc)
        if code != 0:
            first = next((i for i, line in enumerate(lines) if line.startswith("error")), 0)
            error = "\n".join(line for line in lines[first:] if not line.startswith("the previous output"))
            with self._lock:
                self.error = error.removeprefix("error: ") or f"the build stopped (exit code {code})"
            print("the page still shows the last good build", file=sys.stderr, flush=True)
            return False
        with self._lock:
            self.version += 1
            self.error = None
        self.log(f"[{self.lang}] preview build {self.version} ready in {time.perf_counter() - start:.1f} s")
        return True

    def status(self) -> dict:
        with self._lock:
            return {"version": self.version, "error": self.error, "building": self.building}

    # --- serving ------------------------------------------------------------------------------------

    def serve(self) -> str:
        """Start the HTTP server in a thread; returns the address of the edition's first page."""
        handler = partial(_Handler, preview=self)
        self.server = ThreadingHTTPServer((self.host, self.port), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        thread = threading.Thread(target=self.server.serve_forever, name="preview-http", daemon=True)
        thread.start()
        self._threads.append(thread)
        return f"http://{self.host}:{self.port}/index.html"

    # --- watching -----------------------------------------------------------------------------------

    def watch(self) -> None:
        """Start the watchers and the builder thread."""
        import watchfiles

        dirs = [str(d) for d in self.watched() if d.is_dir()]

        def follow(paths: list[str], recursive: bool, keep: Callable[[str], bool]) -> None:
            # a save's changes are handed on once none has come for STEP_MS (a save's own come within a few)
            for changes in watchfiles.watch(*paths, recursive=recursive, stop_event=self._stop,
                                            watch_filter=watchfiles.DefaultFilter(), debounce=300, step=STEP_MS):
                picked = sorted({p for _, p in changes if keep(p)})
                if picked:
                    self._changes.put(picked)

        def config_file(path: str) -> bool:
            name = Path(path).name
            return name.startswith("_quarto") and name.endswith((".yml", ".yaml")) or name.startswith("_language")

        if dirs:
            self._start(partial(follow, dirs, True, lambda p: True), "preview-watch-sources")
        self._start(partial(follow, [str(self.root)], False, config_file), "preview-watch-config")

    def watched(self) -> list[Path]:
        """The folders whose edits rebuild: the project's, where they really are (a linked data folder, the data
        folder of REPORT_DATA, the helper package the build imports, even when it is installed from elsewhere)."""
        import helpers
        from helpers.core import paths

        found = [(self.root / d).resolve() for d in WATCHED_DIRS if (self.root / d).exists()]
        found += [paths.data_dir(self.root).resolve(), Path(helpers.__file__).resolve().parent]
        out: list[Path] = []
        for folder in sorted(set(found)):
            if not any(folder.is_relative_to(other) for other in out):
                out.append(folder)
        return out

    def _start(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _builder(self) -> None:
        self.ahead = Ahead(self.arguments, self.root, self.environment)
        while not self._stop.is_set():
            self.waiting.renew()  # from this thread, which the kernel it starts must not outlive
            self.ahead.start()
            try:
                changed = self._changes.get(timeout=0.2)
            except queue.Empty:
                continue
            time.sleep(0.02)  # several files saved at once: one build (the two watchers yield together)
            while True:
                try:
                    changed += self._changes.get_nowait()
                except queue.Empty:
                    break
            files = sorted({p for p in changed if Path(p).exists()} or set(changed))  # not an editor's temp file
            shown = ", ".join(_relative(p, self.root) for p in files[:3])
            more = len(files) - 3
            self.log(f"changed: {shown}{f' and {more} more' if more > 0 else ''}; rebuilding")
            self.build()

    # --- life cycle ---------------------------------------------------------------------------------

    def start(self) -> str:
        """Watch, build once, serve, then rebuild on changes; returns the address to open. The watchers start
        first: an edit made while the first build runs, or as soon as the page is served, is not missed."""
        self.watch()
        self.build()
        url = self.serve()
        self._start(self._builder, "preview-builder")
        return url

    def stop(self) -> None:
        """Stop the watchers, a build under way, the server; remove the temporary site."""
        self._stop.set()
        if self._proc is not None and self._proc.poll() is None:
            end(self._proc)
        if self.server:
            self.server.shutdown()
            self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.waiting.stop()
        if self.ahead is not None:
            self.ahead.stop()
        if self._own_output:
            shutil.rmtree(self.output, ignore_errors=True)


TEMP_PREFIX = "report-preview-"  # + pid + edition: a folder whose preview no longer runs was left by a killed one


def _remove_left_behind() -> list[str]:
    """Remove the temporary folders of previews that were killed (their process no longer runs); their names."""
    found = []
    for folder in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*-*-*"):
        pid = folder.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and folder.is_dir() and not alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            found.append(folder.name)
    return sorted(found)


def _relative(path: str, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


class _Handler(SimpleHTTPRequestHandler):
    """Serves the current site folder; adds the reload script and, after a failed build, the error banner."""

    def __init__(self, *args, preview: Preview, **kwargs):
        self.preview = preview
        super().__init__(*args, directory=str(preview.site), **kwargs)

    def log_message(self, format, *args):  # quiet: the terminal is for build messages
        pass

    def translate_path(self, path: str) -> str:
        """The chapters' download links (``../notebooks/``, ``../source/``) point beside the site: served from
        the edition's folder, as in the published output."""
        if path.split("?", 1)[0].startswith(BESIDE_THE_SITE):
            site, self.directory = self.directory, str(self.preview.site.parent)
            try:
                return super().translate_path(path)
            finally:
                self.directory = site
        return super().translate_path(path)

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self):
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == BUILD_ENDPOINT:
            return self._send(json.dumps(self.preview.status()).encode("utf-8"), "application/json")
        if path in ("", "/"):
            path = "/index.html"
        if path.endswith(".html"):
            file = Path(self.translate_path(path))
            status = self.preview.status()
            if file.is_file():
                page = file.read_text(encoding="utf-8")
            elif status["version"] == 0:
                page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>report preview</title></head>"
                        "<body><p>" + ("building…" if not status["error"] else "the first build failed") +
                        "</p></body></html>")
            else:
                return self.send_error(HTTPStatus.NOT_FOUND)
            return self._send(_inject(page, status).encode("utf-8"), "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _inject(page: str, status: dict) -> str:
    script = _CLIENT % {"version": status["version"], "endpoint": BUILD_ENDPOINT, "poll": POLL_MS}
    banner = ""
    if status["error"]:
        banner = ('<pre id="preview-banner" class="preview-banner" role="alert" style="position:fixed;left:0;'
                  'right:0;bottom:0;z-index:100;max-height:40vh;overflow:auto;margin:0;padding:.6rem 1rem;'
                  'background:#b3261e;color:#fff;font:13px/1.4 monospace;white-space:pre-wrap">'
                  + html.escape(status["error"]) + "</pre>\n")
    snippet = banner + script
    at = page.rfind("</body>")
    return page[:at] + snippet + page[at:] if at >= 0 else page + snippet


def run(root: Path, lang: str = "kk", port: int = 8000, host: str = "127.0.0.1") -> int:
    """The ``report preview`` command: runs until interrupted."""
    preview = Preview(root, lang, port=port, host=host)
    if preview.left_behind:
        print(f"removed the temporary folder(s) of a preview that was killed: {', '.join(preview.left_behind)}",
              flush=True)
    try:
        try:
            url = preview.start()
        except OSError as err:
            print(f"error: cannot serve on {host}:{port}: {err.strerror}; choose another port with --port",
                  file=sys.stderr)
            return 1
        print(f"preview of the {lang} edition: {url}", flush=True)
        print("watching chapters/, data/, src/helpers/ and _quarto*.yml; Ctrl+C stops", flush=True)
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM, SIGHUP (``processes.stop_on_signals``)
        print("preview stopped", flush=True)
    finally:
        preview.stop()
    return 0
