"""Input safety and exposure (issue 8).

* No code execution from data: the source tree (dashboard/, runners/) has no ``eval``/``exec``/
  ``compile``, ``pickle``/``marshal``/``shelve``, unsafe YAML, ``shell=True``, ``os.system``/``os.popen``,
  ``pandas.read_pickle``/``np.load(allow_pickle=True)``/``torch.load`` and no
  ``unsafe_allow_html=True`` (checked on the AST, so docstrings that *mention* eval don't count).
* Uploads are capped: ``server.maxUploadSize`` in ``.streamlit/config.toml`` and
  ``MAX_JSON_BYTES`` in the JSON helpers.
* Nothing is written outside a temporary directory: CLI commands and every page run with the
  working directory in a temp dir, with a Python audit hook recording every file opened for
  writing; and ``git status`` shows no new files.
* The server binds to localhost by default (config.toml; a server started without
  ``--server.address`` is not reachable on the machine's other addresses).
"""

from __future__ import annotations

import ast
import os
import re
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.page_registry import PAGE_SPECS

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("dashboard", "runners")
CONFIG = ROOT / ".streamlit" / "config.toml"
MAX_UPLOAD_MB = 5


def _source_files() -> list[Path]:
    files = []
    for d in SOURCE_DIRS:
        files += [p for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts]
    return sorted(files)


# ---------------------------------------------------------------- no code execution from data

_BANNED_CALLS = {"eval", "exec", "compile", "__import__"}
_BANNED_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}
_BANNED_ATTR_CALLS = {
    ("os", "system"),
    ("os", "popen"),
    ("os", "execv"),
    ("os", "execl"),
    ("os", "spawnl"),
    ("yaml", "unsafe_load"),
    ("yaml", "full_load"),
    ("pd", "read_pickle"),
    ("pandas", "read_pickle"),
    ("torch", "load"),
    ("pickle", "load"),
    ("pickle", "loads"),
}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = path.relative_to(ROOT)
    out = []
    for node in ast.walk(tree):
        where = f"{rel}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for m in mods:
                if m.split(".")[0] in _BANNED_MODULES:
                    out.append(f"{where}: imports {m}")
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        if isinstance(node.func, ast.Name) and node.func.id in _BANNED_CALLS:
            out.append(f"{where}: calls {node.func.id}()")
        parts = tuple(name.split("."))
        if len(parts) >= 2 and parts[-2:] in _BANNED_ATTR_CALLS:
            out.append(f"{where}: calls {name}()")
        if parts[-1] == "load" and parts[0] == "yaml":
            loader = kw.get("Loader") or (node.args[1] if len(node.args) > 1 else None)
            if loader is None or "Safe" not in _dotted(loader):
                out.append(f"{where}: yaml.load without SafeLoader")
        if "shell" in kw and not (isinstance(kw["shell"], ast.Constant) and kw["shell"].value is False):
            out.append(f"{where}: {name}(shell=...)")
        if parts[-1] == "load" and parts[0] in ("np", "numpy") and "allow_pickle" in kw:
            out.append(f"{where}: {name}(allow_pickle=...)")
        if "unsafe_allow_html" in kw and not (
            isinstance(kw["unsafe_allow_html"], ast.Constant) and kw["unsafe_allow_html"].value is False
        ):
            out.append(f"{where}: {name}(unsafe_allow_html=...)")
    return out


def test_source_tree_is_not_empty() -> None:
    files = _source_files()
    assert len(files) >= 10 and any(p.name == "app.py" for p in files)


def test_no_code_execution_or_unsafe_deserialisation_in_source() -> None:
    problems = [v for p in _source_files() for v in _violations(p)]
    assert not problems, "unsafe constructs:\n" + "\n".join(problems)


def test_the_checker_catches_what_it_should(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        textwrap.dedent('''
        """Docstrings may say eval( and pickle freely."""
        import pickle, yaml, subprocess, os
        eval("1")
        exec("x=1")
        yaml.load(s)
        yaml.load(s, Loader=yaml.SafeLoader)
        subprocess.run("ls", shell=True)
        os.system("ls")
        st.markdown(x, unsafe_allow_html=True)
    ''')
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = _violations(bad)
    finally:
        ROOT = saved
    text = "\n".join(found)
    for needle in (
        "imports pickle",
        "calls eval()",
        "calls exec()",
        "yaml.load without SafeLoader",
        "subprocess.run(shell=...)",
        "calls os.system()",
        "unsafe_allow_html",
    ):
        assert needle in text, (needle, text)
    assert len([f for f in found if "yaml.load" in f]) == 1  # the SafeLoader call is fine
    assert ":2:" not in text  # the docstring is not code


# ---------------------------------------------------------------- upload caps, bind address


def _config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_streamlit_config_caps_uploads_and_binds_localhost() -> None:
    cfg = _config()
    server = cfg["server"]
    assert 0 < server["maxUploadSize"] <= MAX_UPLOAD_MB  # MB
    assert server["address"] == "127.0.0.1"
    assert server.get("runOnSave", False) is False
    assert server.get("enableXsrfProtection", True) is True
    assert cfg["browser"]["gatherUsageStats"] is False


def test_streamlit_reads_the_project_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is where Streamlit looks when started from the repository root."""
    import streamlit.config as st_config

    monkeypatch.chdir(ROOT)
    try:
        st_config.get_config_options(force_reparse=True)
        assert st_config.get_option("server.maxUploadSize") <= MAX_UPLOAD_MB
        assert st_config.get_option("server.address") == "127.0.0.1"
        assert st_config.get_option("browser.gatherUsageStats") is False
    finally:
        monkeypatch.undo()
        st_config.get_config_options(force_reparse=True)


def test_json_helpers_cap_size() -> None:
    from dashboard.common.json_config import MAX_JSON_BYTES, parse_json_object

    assert 0 < MAX_JSON_BYTES <= MAX_UPLOAD_MB * 1_000_000
    big = '{"a": "' + "x" * MAX_JSON_BYTES + '"}'
    for payload in (big, big.encode()):
        with pytest.raises(ValueError, match="larger than"):
            parse_json_object(payload)
    assert parse_json_object(b'{"a": 1}') == {"a": 1}


def test_sidebar_uploads_are_json_only_and_size_checked() -> None:
    src = (ROOT / "dashboard" / "components" / "sidebar.py").read_text(encoding="utf-8")
    tree = ast.parse(src)
    uploaders = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _dotted(n.func).endswith("file_uploader")]
    assert uploaders, "the sidebar has no uploaders any more: update this test"
    for call in uploaders:
        kw = {k.arg: k.value for k in call.keywords}
        assert "type" in kw and "json" in ast.literal_eval(kw["type"]), ast.unparse(call)
    assert src.count("MAX_JSON_BYTES") >= 2


def test_nothing_in_the_repo_binds_all_interfaces() -> None:
    """Only the docs may tell people how to expose the server."""
    offenders = []
    candidates = [ROOT / "Makefile", *(ROOT / ".ci").glob("*"), *_source_files()]
    for p in candidates:
        if p.is_file() and "0.0.0.0" in p.read_text(encoding="utf-8", errors="replace"):
            offenders.append(str(p.relative_to(ROOT)))
    assert not offenders, offenders


def _non_loopback_ip() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.254.254.254", 1))  # no packet is sent for UDP connect
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_and_check_loopback_only(cmd: list[str], cwd: Path, log: Path, env: dict[str, str]) -> str:
    """Start ``cmd``, wait for /_stcore/health on 127.0.0.1 (60 s), check the LAN address refuses
    connections, stop the server; returns its log."""
    port = int(cmd[cmd.index("--server.port" if "--server.port" in cmd else "--port") + 1])
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "server not healthy in 60 s:\n" + log.read_text()
            time.sleep(0.2)
        lan = _non_loopback_ip()
        if lan:
            with socket.socket() as s, pytest.raises(OSError):
                s.settimeout(2)
                s.connect((lan, port))
        return log.read_text()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_server_binds_localhost_by_default(tmp_path: Path) -> None:
    """`streamlit run dashboard/app.py` from the repo root, no --server.address: reachable on
    127.0.0.1, refused on the machine's LAN address."""
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard/app.py",
        "--server.port",
        str(_free_port()),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
    ]
    text = _serve_and_check_loopback_only(
        cmd, ROOT, tmp_path / "server.log", dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    )
    assert "0.0.0.0" not in text and "127.0.0.1" in text, text


# ---------------------------------------------------------------- nothing written outside a temp dir

_WRITES: list[str] | None = None  # active recorder, or None
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_PATH_EVENTS = {
    "os.mkdir",
    "os.rename",
    "os.replace",
    "os.remove",
    "os.rmdir",
    "os.truncate",
    "os.symlink",
    "os.link",
    "shutil.copyfile",
    "shutil.copytree",
    "shutil.move",
    "shutil.rmtree",
    "os.chmod",
}


def _audit(event: str, args: tuple) -> None:
    rec = _WRITES
    if rec is None:
        return
    if event == "open":
        path, mode, flags = (*tuple(args), None, None, None)[:3]
        if isinstance(path, int) or path is None:
            return
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if writing:
            rec.append(os.fsdecode(path))
    elif event in _PATH_EVENTS and args:
        p = args[0]
        if isinstance(p, str | bytes | os.PathLike):
            rec.append(f"{event}:{os.fsdecode(p)}")


_HOOKED = False


def _recording():
    """Context manager: the paths opened for writing (or created/moved/removed) inside it."""

    class _Rec:
        def __enter__(self):
            global _WRITES, _HOOKED
            if not _HOOKED:
                sys.addaudithook(_audit)  # process-wide and permanent: inert while _WRITES is None
                _HOOKED = True
            self.paths: list[str] = []
            _WRITES = self.paths
            return self.paths

        def __exit__(self, *exc):
            global _WRITES
            _WRITES = None
            return False

    return _Rec()


_REPO = str(ROOT.resolve())


def _outside_temp(paths: list[str], tmp: Path) -> list[str]:
    allowed = [str(tmp.resolve()), str(Path(tempfile.gettempdir()).resolve()), "/dev/shm"]
    bad = []
    for entry in paths:
        p = entry.split(":", 1)[1] if entry.startswith(("os.", "shutil.")) else entry
        try:
            full = str(Path(p).resolve())
        except OSError:
            full = p
        # the repository itself never counts as temporary, even when a CI clone lives under /tmp
        in_repo = full == _REPO or full.startswith(_REPO + "/")
        if full != "/dev/null" and (in_repo or not any(full == a or full.startswith(a + "/") for a in allowed)):
            bad.append(entry)
    return sorted(set(bad))


def _git_status() -> set[str] | None:
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {line for line in out.splitlines() if line.strip()}


def _check_git_unchanged(before: set[str] | None, paths_seen: list[str]) -> None:
    after = _git_status()
    if before is None or after is None:
        return
    new = sorted(after - before)
    if not new:
        return
    msg = f"new entries in `git status` while the pages/CLI ran: {new}"
    # The audit hook is the precise check; a new git entry it did not see was made by another process
    # (someone editing the tree). That can only be judged on a quiet tree, i.e. in CI.
    if os.environ.get("CI") or any(n[3:] in " ".join(paths_seen) for n in new):
        pytest.fail(msg)
    print("note (not CI, tree in use):", msg)


CLI_COMMANDS = [
    ["step", "--model", "llama-3.1-8b", "--hardware", "h200", "--prefill-seqs", "1", "--prefill-len", "512", "--json"],
    ["memory", "--model", "qwen2.5-7b", "--hardware", "h200", "--json"],
    ["step", "--model", "no-such-model", "--hardware", "h200"],  # error path: exit 2, no traceback
]


def test_cli_writes_nothing_outside_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from runners.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    before = _git_status()
    codes = []
    with _recording() as paths:
        for argv in CLI_COMMANDS:
            try:
                codes.append(main(argv))
            except SystemExit as exc:  # argparse / CliError paths
                codes.append(exc.code)
    out = capsys.readouterr()
    assert codes[:2] == [0, 0], (codes, out.err[-2000:])
    assert codes[2] == 2 and "Traceback" not in out.err, (codes, out.err[-2000:])
    assert not _outside_temp(paths, tmp_path), _outside_temp(paths, tmp_path)
    assert list(tmp_path.iterdir()) == []  # and nothing in the cwd either
    _check_git_unchanged(before, paths)


def test_cli_subprocess_from_temp_cwd(tmp_path: Path) -> None:
    """The console entry as users run it, cwd in a temp dir: no file appears there or in the repo."""
    before = _git_status()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(ROOT))
    r = subprocess.run(
        [sys.executable, "-m", "runners.cli", *CLI_COMMANDS[0]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert list(tmp_path.iterdir()) == []
    _check_git_unchanged(before, [])


@pytest.mark.parametrize("spec", PAGE_SPECS, ids=[s.url_path for s in PAGE_SPECS])
def test_page_writes_nothing_outside_temp(spec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    before = _git_status()
    with _recording() as paths:
        at = AppTest.from_file(str(spec.path), default_timeout=60).run()
        assert not at.exception, [e.value for e in at.exception]
        for b in at.main.button:  # the page's own actions (run, compute, ...) too
            if not b.disabled:
                b.click().run()
                assert not at.exception, (b.label, [e.value for e in at.exception])
    bad = _outside_temp(paths, tmp_path)
    assert not bad, f"{spec.url_path} wrote outside a temp dir: {bad}"
    assert list(tmp_path.iterdir()) == [], f"{spec.url_path} wrote into the working directory"
    _check_git_unchanged(before, paths)


def test_write_recorder_sees_writes(tmp_path: Path) -> None:
    outside = ROOT / "test-artifacts" / ".probe"
    outside.parent.mkdir(exist_ok=True)
    with _recording() as paths:
        (tmp_path / "ok.txt").write_text("x")
        outside.write_text("x")
    outside.unlink()
    assert _outside_temp(paths, tmp_path) == [str(outside)]


# ---------------------------------------------------------------- issue 11, High 1: paths only from the CLI

_WATCHED: set[str] = set()
_OPENED: list[str] = []
_OPEN_HOOKED = False


def _open_audit(event: str, args: tuple) -> None:
    if event == "open" and _WATCHED and args and isinstance(args[0], str | bytes | os.PathLike):
        p = os.fsdecode(args[0])
        if p in _WATCHED or os.path.basename(p) in _WATCHED:
            _OPENED.append(p)


def _watch(*paths: Path | str) -> list[str]:
    global _OPEN_HOOKED
    if not _OPEN_HOOKED:
        sys.addaudithook(_open_audit)
        _OPEN_HOOKED = True
    _WATCHED.clear()
    _OPENED.clear()
    for p in paths:
        _WATCHED.update({str(p), Path(p).name})
    return _OPENED


@pytest.fixture
def profile_file(tmp_path: Path) -> Path:
    import json

    from dashboard.features.hardware import hardware_to_dict, load_hardware

    d = hardware_to_dict(load_hardware("h100-sxm"))
    d["name"], d["slug"] = "Secret Lab GPU", "secret-lab-gpu"
    p = tmp_path / "secret_profile.json"
    p.write_text(json.dumps(d))
    return p


def test_strings_never_open_files_outside_the_cli(profile_file: Path, tmp_path: Path) -> None:
    from dashboard.features.hardware import HardwareError, load_hardware
    from dashboard.features.model_profile import ModelConfigError
    from dashboard.features.presets import load_model

    opened = _watch(profile_file, tmp_path / "missing.json")
    msgs = []
    for ref in (str(profile_file), str(tmp_path / "missing.json")):
        with pytest.raises(HardwareError, match="only on the command line") as e:
            load_hardware(ref)
        msgs.append(re.sub(r"'[^']*'", "<ref>", str(e.value), count=1))
        with pytest.raises(ModelConfigError, match="only on the command line"):
            load_model(ref)
    assert msgs[0] == msgs[1]  # an existing and a missing file answer alike: no existence oracle
    assert opened == []
    # presets still resolve; a Path object (chosen by the program) and the CLI scope read files
    assert load_hardware("H200").slug == "h200"
    assert load_hardware(profile_file).name == "Secret Lab GPU"
    from dashboard.features.safe_io import allow_paths

    with allow_paths():
        assert load_hardware(str(profile_file)).name == "Secret Lab GPU"
    with pytest.raises(HardwareError, match="unknown hardware"):
        load_hardware(str(profile_file))  # the scope ended


def test_file_reads_are_size_capped_and_regular_only(tmp_path: Path) -> None:
    from dashboard.features.hardware import HardwareError, load_hardware
    from dashboard.features.model_profile import ModelConfigError
    from dashboard.features.presets import load_model
    from dashboard.features.safe_io import MAX_FILE_BYTES, allow_paths

    big = tmp_path / "big.json"
    with big.open("wb") as fh:  # sparse: 3 GB on paper, nothing on disk; must be refused before reading
        fh.truncate(3_000_000_000)
    t0 = time.perf_counter()
    with allow_paths():
        with pytest.raises(HardwareError, match=f"limit is {MAX_FILE_BYTES:,}"):
            load_hardware(str(big))
        with pytest.raises(ModelConfigError, match="limit"):
            load_model(str(big))
        if Path("/dev/zero").exists():
            with pytest.raises(HardwareError, match="not a regular file"):
                load_hardware("/dev/zero")
    assert time.perf_counter() - t0 < 1.0


def test_cli_accepts_profile_paths(profile_file: Path, capsys) -> None:
    import json

    from runners.cli import main

    assert main(["memory", "--model", "llama-3.1-8b", "--hardware", str(profile_file), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["hardware"] == "Secret Lab GPU"


@pytest.mark.parametrize(
    "page,param",
    [
        ("dashboard/overview.py", "hw"),
        ("dashboard/regression_calibration.py", "baseline"),
        ("dashboard/inferencemax.py", "hardware"),
        ("dashboard/llm_chunked_prefill_decoder_scaleup.py", "hardware"),
    ],
)
def test_url_parameters_never_open_paths(page: str, param: str, profile_file: Path) -> None:
    opened = _watch(profile_file)
    for value in (str(profile_file), "/etc/passwd", "../../etc/hostname"):
        at = AppTest.from_file(str(ROOT / page), default_timeout=60)
        at.query_params[param] = value
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        text = " ".join(m.value for m in at.markdown)
        assert "Secret Lab GPU" not in text
    assert opened == [], opened


# ---------------------------------------------------------------- issue 11, High 2: launcher and guard


def test_launcher_forces_safe_flags() -> None:
    from dashboard.__main__ import build_streamlit_argv
    from dashboard.features.safe_io import MAX_UPLOAD_MB

    argv = build_streamlit_argv("127.0.0.1", 8501, allow_remote=False)
    flags = dict(zip(argv[2::2], argv[3::2], strict=True))
    assert argv[:2] == ["run", str(ROOT / "dashboard" / "app.py")]
    assert flags["--server.address"] == "127.0.0.1"
    assert flags["--server.maxUploadSize"] == str(MAX_UPLOAD_MB) == "5"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.enableXsrfProtection"] == "true"
    assert _config()["server"]["maxUploadSize"] == MAX_UPLOAD_MB  # one number everywhere


def test_launcher_refuses_non_loopback_without_opt_in(capsys) -> None:
    from dashboard.__main__ import main

    wildcard = ".".join(["0"] * 4)
    for addr in (wildcard, "::", "", "192.168.1.10", "example.com"):
        assert main(["--address", addr]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--allow-remote" in err


def test_launcher_binds_loopback_from_any_directory(tmp_path: Path) -> None:
    """`python -m dashboard` started outside the repository still binds 127.0.0.1 only."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(ROOT))
    env.pop("MODELING_DASHBOARD_ALLOW_REMOTE", None)
    cmd = [sys.executable, "-m", "dashboard", "--port", str(_free_port())]
    assert "127.0.0.1" in _serve_and_check_loopback_only(cmd, tmp_path, tmp_path / "server.log", env)


class _FakeSt:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def error(self, text: str) -> None:
        self.calls.append(("error", text))

    def warning(self, text: str) -> None:
        self.calls.append(("warning", text))

    def stop(self) -> None:
        self.calls.append(("stop", ""))


@pytest.mark.parametrize(
    "address,opt_in,expect",
    [
        ("127.0.0.1", False, []),
        ("localhost", False, []),
        ("::1", False, []),
        (None, False, ["error", "stop"]),
        ("10.1.2.3", False, ["error", "stop"]),
        ("10.1.2.3", True, ["warning"]),
    ],
)
def test_app_guard_refuses_non_loopback_unless_opted_in(address, opt_in, expect, monkeypatch) -> None:
    import streamlit.config as st_config
    from streamlit import runtime

    from dashboard.components.exposure import enforce_exposure_policy

    monkeypatch.setattr(runtime, "exists", lambda: True)
    real_get = st_config.get_option
    monkeypatch.setattr(st_config, "get_option", lambda key: address if key == "server.address" else real_get(key))
    if opt_in:
        monkeypatch.setenv("MODELING_DASHBOARD_ALLOW_REMOTE", "1")
    else:
        monkeypatch.delenv("MODELING_DASHBOARD_ALLOW_REMOTE", raising=False)
    st = _FakeSt()
    enforce_exposure_policy(st)
    assert [c[0] for c in st.calls] == expect


def test_app_guard_forces_upload_cap_and_no_telemetry(monkeypatch) -> None:
    import streamlit.config as st_config

    from dashboard.components.exposure import enforce_exposure_policy

    before = {k: st_config.get_option(k) for k in ("server.maxUploadSize", "browser.gatherUsageStats")}
    try:
        st_config.set_option("server.maxUploadSize", 200)
        st_config.set_option("browser.gatherUsageStats", True)
        enforce_exposure_policy(_FakeSt())
        assert st_config.get_option("server.maxUploadSize") == MAX_UPLOAD_MB
        assert st_config.get_option("browser.gatherUsageStats") is False
    finally:
        for k, v in before.items():
            st_config.set_option(k, v)


# ---------------------------------------------------------------- issue 11, High 3: no silent truncation


def test_fixed_lengths_are_never_clipped() -> None:
    import numpy as np

    from dashboard.sim.workload import WorkloadConfig, make_workload, sample_lengths

    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="max_len 131072"):
        sample_lengths(rng, 3, 1_000_000, "fixed", 0.0, 131072)
    for field in ("input_len", "output_len"):
        with pytest.raises(ValueError, match=f"{field} 1000000 exceeds .*max_len 131072"):
            WorkloadConfig(num_requests=2, **{field: 1_000_000})
    wl = make_workload(WorkloadConfig(num_requests=3, input_len=131072, output_len=7, max_len=131072))
    assert wl.prompt == (131072,) * 3 and wl.output == (7,) * 3  # at the limit: honoured exactly


@pytest.mark.parametrize("flag", ["--input-len", "--output-len"])
def test_simulate_refuses_lengths_it_cannot_honour(flag: str, capsys) -> None:
    from runners.cli import main

    argv = [
        "simulate",
        "--model",
        "llama-3.1-8b",
        "--hardware",
        "h200",
        "--num-requests",
        "2",
        "--input-len",
        "128",
        "--output-len",
        "8",
    ]
    argv[argv.index(flag) + 1] = "1000000"
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "1000000" in err and "131072" in err


# ---------------------------------------------------------------- issue 11, Medium: validation at parse time


def _llama_cfg() -> dict:
    from dashboard.features.presets import model_config

    return model_config("llama-3.1-8b")


@pytest.mark.parametrize(
    "field,value",
    [
        ("max_position_embeddings", float("inf")),
        ("num_hidden_layers", 1e8),
        ("hidden_size", -4096),
        ("vocab_size", "128256"),
        ("num_hidden_layers", True),
        ("intermediate_size", -14336),
        ("quantization_config", "fp8"),
        ("tie_word_embeddings", "false"),
        ("sliding_window", "abc"),
        ("num_key_value_heads", [8]),
        ("head_dim", 1e300),
        ("max_position_embeddings", 10**400),
    ],
)
def test_invalid_model_fields_are_refused_naming_the_field(field, value) -> None:
    from dashboard.features.model_profile import ModelConfigError, parse_hf_config

    cfg = _llama_cfg()
    cfg[field] = value
    with pytest.raises(ModelConfigError) as e:
        parse_hf_config(cfg)
    assert field in e.value.fields and field in str(e.value)


@pytest.mark.parametrize(
    "field,value",
    [
        ("q_lora_rank", "abc"),
        ("kv_lora_rank", 0),
        ("n_shared_experts", [1]),
        ("first_k_dense_replace", "x"),
        ("moe_intermediate_size", -1),
    ],
)
def test_invalid_mla_moe_fields_are_refused(field, value) -> None:
    from dashboard.features.model_profile import ModelConfigError, parse_hf_config
    from dashboard.features.presets import model_config

    cfg = model_config("deepseek-v3")
    cfg[field] = value
    with pytest.raises(ModelConfigError) as e:
        parse_hf_config(cfg)
    assert any(field in f for f in e.value.fields), (e.value.fields, str(e.value))


def test_rejected_config_never_replaces_the_last_good_one() -> None:
    import json

    from dashboard.actions.settings import select_model_preset, set_model_json
    from dashboard.state.session import SessionState

    ss = SessionState()
    select_model_preset(ss, "qwen2.5-7b")
    good = ss.model.last_valid_json
    cfg = json.loads(good)
    cfg["n_shared_experts"], cfg["num_local_experts"] = [1], 8
    for bad in ({**json.loads(good), "hidden_size": -1}, cfg, {**json.loads(good), "kv_lora_rank": 0}):
        assert set_model_json(ss, json.dumps(bad))
        assert ss.model.last_valid_json == good and ss.model.preset == "qwen2.5-7b"


@pytest.mark.parametrize(
    "path,value,field",
    [
        (("peak_tflops", "bf16"), float("nan"), "peak_tflops.bf16"),
        (("peak_tflops", "bf16"), 1e-300, "peak_tflops.bf16"),
        (("peak_tflops", "fp8"), float("inf"), "peak_tflops.fp8"),
        (("hbm_bandwidth_gb_s",), float("nan"), "hbm_bandwidth_gb_s"),
        (("hbm_capacity_gb",), 1e308, "hbm_capacity_gb"),
        (("efficiency",), [1, 2], "efficiency"),
        (("efficiency", "gemm_compute"), [[1, 0.5], [float("nan"), 0.7]], "efficiency.gemm_compute"),
        (("efficiency", "gemm_compute"), [[1, 0.5, 3]], "efficiency.gemm_compute"),
        (("scale_up", "domain_size"), "8", "domain_size"),
        (("aliases",), "h200", "aliases"),
    ],
)
def test_invalid_profile_numbers_are_refused(path, value, field) -> None:
    from dashboard.features.hardware import HardwareError, hardware_from_dict, hardware_to_dict, load_hardware

    d = hardware_to_dict(load_hardware("h200"))
    node = d
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    with pytest.raises(HardwareError, match=re.escape(field)):
        hardware_from_dict(d)


def test_implausible_profile_numbers_warn_and_name_the_field(capsys, tmp_path: Path) -> None:
    import json

    from dashboard.features.hardware import hardware_to_dict, load_hardware
    from runners.cli import main

    assert load_hardware("h200").plausibility_warnings() == []
    d = hardware_to_dict(load_hardware("h200"))
    d["hbm_bandwidth_gb_s"] = 4.8  # TB/s typed where GB/s is expected
    p = tmp_path / "typo.json"
    p.write_text(json.dumps(d))
    assert (
        main(["step", "--model", "llama-3.1-8b", "--hardware", str(p), "--prefill-seqs", "1", "--prefill-len", "128"])
        == 0
    )
    err = capsys.readouterr().err
    assert "hbm_bandwidth_gb_s = 4.8 is outside" in err


def test_context_beyond_max_position_is_flagged(capsys) -> None:
    import json

    from dashboard.features.hardware import load_hardware
    from dashboard.features.memory import memory_breakdown
    from dashboard.features.presets import load_model
    from runners.cli import main

    m, hw = load_model("llama-3.1-8b"), load_hardware("h200")
    ok = memory_breakdown(m, hw, context=131072)
    assert not ok.exceeds_max_position and ok.warnings == ()
    bd = memory_breakdown(m, hw, context=500_000)
    assert bd.exceeds_max_position and "max_position_embeddings (131,072)" in bd.warnings[0]
    assert main(["memory", "--model", "llama-3.1-8b", "--hardware", "h200", "--context", "500000", "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["exceeds_max_position"] is True and "131,072" in out.err


@pytest.mark.parametrize(
    "argv,needle",
    [
        # bounds from the one declaration of each parameter (dashboard/features/params.py)
        (["simulate", "--dp", "999999999999"], "argument --dp: dp must be an integer in [1, 1024]"),
        (["simulate", "--num-requests", "16000000"], "argument --num-requests: num_requests must be an integer in"),
        (["simulate", "--block-size", "1000000000"], "-block-size"),
        (
            ["step", "--prefill-len", "9" * 401],
            "argument --prefill-len: prefill_len must be an integer in [0, 16777216]",
        ),
        (["search", "--budgets", ",".join(["512"] * 40)], "argument --budgets: budgets needs 1 to 32 values"),
        (["search", "--budgets", ",".join(["512"] * 2000)], "argument --budgets: budgets: value too long"),
        (["search", "--sim-check", "1000000"], "rerun must be an integer in [0, 32]"),
        (["step", "--overlap", "nan"], "argument --overlap: overlap must be a finite number in [0, 1]"),
    ],
)
def test_cli_size_bounds_are_checked_before_work(argv, needle, capsys) -> None:
    from runners.cli import main

    base = {
        "simulate": ["--num-requests", "4", "--input-len", "64", "--output-len", "4"],
        "step": ["--prefill-seqs", "1", "--prefill-len", "64"],
        "search": ["--gpus", "8", "--input-len", "128", "--output-len", "16"],
    }[argv[0]]
    full = [argv[0], "--model", "llama-3.1-8b", "--hardware", "h200", *base, *argv[1:]]
    t0 = time.perf_counter()
    try:
        rc = main(full)
    except SystemExit as exc:  # argparse's own range checks exit 2 the same way
        rc = exc.code
    assert rc == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err, err
    assert time.perf_counter() - t0 < 5


def test_cli_turns_any_exception_into_one_line(monkeypatch, capsys) -> None:
    """Subcommands added later inherit the contract from main()."""
    import runners.cmd_step as cmd_step
    from runners.cli import main

    for exc in (
        TypeError("bad type"),
        OverflowError("int too large"),
        MemoryError(),
        IndexError("x"),
        AttributeError("'str' object has no attribute 'get'"),
    ):

        def boom(args, exc=exc):
            raise exc

        monkeypatch.setattr(cmd_step, "run", boom)
        assert (
            main(["step", "--model", "llama-3.1-8b", "--hardware", "h200", "--prefill-seqs", "1", "--prefill-len", "8"])
            == 2
        )
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("modeling step: error:") and "Traceback" not in err


@pytest.mark.parametrize("value", ["²", "١٢", "1" * 5000, "nan", "-3", "0", " 4", "1e9"])
def test_odd_tp_query_parameters_never_crash_a_page(value) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard" / "overview.py"), default_timeout=60)
    at.query_params["tp"] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_model_name_is_plain_text_in_the_header() -> None:
    import json

    at = AppTest.from_file(str(ROOT / "dashboard" / "overview.py"), default_timeout=60).run()
    cfg = _llama_cfg()
    cfg["_name_or_path"] = "![x](http://198.51.100.1/p.png) [click](http://198.51.100.1) <b>:red[hi]</b> $x$"
    from dashboard.actions.settings import set_model_json
    from dashboard.state.session import SESSION_KEY

    assert set_model_json(at.session_state[SESSION_KEY], json.dumps(cfg)) is None
    at.run()
    assert not at.exception
    header = next(m.value for m in at.markdown if m.value.startswith(("Model:", "模型")))
    for raw in ("![x](", "[click](", "<b>", ":red[", "$x$"):
        assert raw not in header, header


# ---------------------------------------------------------------- issue 11, Low: exports, traces, --out


def test_csv_downloads_neutralise_formulas() -> None:
    import pandas as pd

    from dashboard.common.tables import to_csv_bytes

    df = pd.DataFrame(
        {
            "model": ['=HYPERLINK("http://x","y")', "+1+2", "@SUM(A1)", "-2+3", "-3.5", "ok"],
            "ms": [-1.5, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    lines = to_csv_bytes(df).decode().splitlines()
    assert lines[1].startswith("\"'=HYPERLINK(") and lines[2].startswith("'+1+2") and lines[3].startswith("'@SUM")
    assert lines[4].startswith("'-2+3") and lines[5] == "-3.5,5.0" and lines[1].endswith(",-1.5")


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffarrival_s,prompt_tokens,output_tokens\n0,100,10\n0.5,200,20\n",
        "arrival_s;prompt_tokens;output_tokens\n0;100;10\n0.5;200;20\n",
        "arrival_s\tprompt_tokens\toutput_tokens\n0\t100\t10\n0.5\t200\t20\n",
    ],
)
def test_trace_csv_accepts_bom_semicolon_and_tab(text: str) -> None:
    from dashboard.sim.workload import workload_from_trace

    for src in (text, text.encode("utf-8")):
        wl = workload_from_trace(src)
        assert wl.prompt == (100, 200) and wl.output == (10, 20) and wl.arrival_s == (0.0, 0.5)


@pytest.mark.parametrize(
    "row,needle",
    [
        ("0,inf,10", "finite"),
        ("0,1e400,10", "finite"),
        ("0,10.5,3", "whole"),
        ("1e17,10,3", "at most 1e\\+09 s"),
        ("0,nan,3", "finite"),
    ],
)
def test_trace_rows_that_would_lie_are_refused(row: str, needle: str) -> None:
    from dashboard.sim.workload import workload_from_trace

    with pytest.raises(ValueError, match=needle):
        workload_from_trace(f"arrival_s,prompt_tokens,output_tokens\n0,5,5\n{row}\n")


def test_calibrate_out_creates_only_the_file(tmp_path: Path, capsys) -> None:
    from runners.cli import main

    data = ROOT / "dashboard" / "data" / "reference"
    csvs = sorted(data.glob("steps_*.csv"))
    assert csvs
    target = tmp_path / "no" / "such" / "dir" / "p.json"
    assert (
        main(
            [
                "calibrate",
                "--measurements",
                str(csvs[0]),
                "--hardware",
                "h200",
                "--method",
                "derate",
                "--out",
                str(target),
            ]
        )
        == 2
    )
    assert "does not exist" in capsys.readouterr().err and not (tmp_path / "no").exists()


def test_one_upload_cap() -> None:
    import dashboard.regression_calibration as cal_page
    from dashboard.features.safe_io import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB

    assert cal_page.MAX_UPLOAD_BYTES == MAX_UPLOAD_BYTES == MAX_UPLOAD_MB * 1024 * 1024
    assert _config()["server"]["maxUploadSize"] == MAX_UPLOAD_MB


def test_launcher_opt_in_hides_error_details(monkeypatch) -> None:
    from dashboard.__main__ import build_streamlit_argv

    argv = build_streamlit_argv("10.0.0.5", 8501, allow_remote=True)
    flags = dict(zip(argv[2::2], argv[3::2], strict=True))
    assert flags["--server.address"] == "10.0.0.5" and flags["--client.showErrorDetails"] == "none"
    assert flags["--server.maxUploadSize"] == "5" and flags["--browser.gatherUsageStats"] == "false"
