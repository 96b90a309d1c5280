"""The program graph that decides initialization order, read from real source by the real toolchain.

`program_graph(DIR)` returns, as plain data for `gosim.inits.Program.from_data`, every package a main package
depends on (the standard library included): its import path, its imports in source order, its files in the order
the go command passes them to the compiler, its package-level variables with what their initializers refer to
(directly or through functions, methods and closures), its ``init`` functions, and ``nfns``, the number of
functions the compiler put in its ``..inittask`` record. Three sources:

* ``go list -e -export -deps -json``: the package graph, each package's files (sorted by name, as go/build reads
  the directory) and its compiled export data. Errors (no main package, a syntax or type error) come back here,
  with FILE:LINE, and are raised as `GoToolchainError`.
* the Go helper in ``initgraph/`` (go/parser, go/ast, go/types; built once with the installed toolchain): the
  declarations and their references, collected the way go/types records dependencies (see its main.go; the
  tests check the model's order from them against go/types' own Info.InitOrder).
* ``go tool nm -size`` on each compiled package: ``pkg..inittask`` is ``8 + 8·nfns`` bytes, or absent when the
  package has nothing to do (cmd/compile/internal/pkginit/init.go: MakeTask). Before Go 1.21 the record also
  listed its dependencies, ``24 + 8·ndeps + 8·nfns`` bytes (runtime/proc.go's initTask of Go 1.19), ndeps being
  the imports that have a record. Whether an initializer needs code at all is the compiler's staticinit
  decision; the model takes it from here instead of re-deriving it.

Results are cached by content under ``cache_dir()/inits``: the program's graph by the hash of its ``.go`` files
and ``go.mod``, each standard-library package's part by the toolchain version (the standard library is the same
for every program). A warm call reads one JSON file and starts no process.

The main package is named ``main`` (as the linker names its inittask), its import path is kept as ``module``.
The graph is the one of the default build (no ``-gcflags``): ``-N -l`` would disable the inlining staticinit
uses and can change ``nfns``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from functools import cache
from pathlib import Path
from urllib.parse import quote

from .errors import GoToolchainError
from .go import Toolchain, cache_dir

HELPER = Path(__file__).resolve().parent / "initgraph"
FORMAT = 3  # bump when the shape of the cached data changes

_LIST_FIELDS = "ImportPath,Name,Dir,GoFiles,Imports,ImportMap,Export,Standard,DepOnly,Error,DepsErrors,Module"
_POSITION = re.compile(r"(?P<file>[^\s:]+\.(?:go|mod)):(?P<line>\d+)(?::\d+)?:?\s*(?P<msg>.*)")
_INITTASK = re.compile(r"^(?P<file>.+?)(?:\([^()]*\))?:\s+[0-9a-f]+\s+(?P<size>\d+) D (?P<sym>\S+)\.\.inittask$")


def program_graph(directory: str | os.PathLike, *, toolchain: Toolchain | None = None) -> dict:
    """The initialization graph of the main package in ``directory`` (a module root), std packages included.

    Returns ``{"module", "toolchain", "packages": [...]}``, packages in ``go list -deps`` order (dependencies
    first, ``main`` last); each is ``{"path", "std", "files", "imports", "vars", "consts", "funcs", "inits",
    "nfns", "initorder"}`` (``initorder``: go/types' Info.InitOrder, for checking the model). Raises
    `GoToolchainError` with ``file`` and ``line`` for a directory that is not a module, has no main package, or
    does not compile.
    """
    tc = toolchain or Toolchain.installed()
    root = Path(directory).resolve()
    if not root.is_dir():
        raise GoToolchainError(f"{directory}: no such directory")
    if not (root / "go.mod").is_file():
        raise GoToolchainError(f"{root}: not a Go module (no go.mod); give the module's root directory")
    key = _program_key(tc, root)
    cached = cache_dir() / "inits" / f"{key}.json"
    if cached.is_file():
        return json.loads(cached.read_text())
    graph = _extract(tc, root)
    _write_atomic(cached, json.dumps(graph))
    return graph


def go_list(directory: str | os.PathLike, *, toolchain: Toolchain | None = None) -> list[dict]:
    """``go list -e -export -deps -json`` of the package in ``directory``: dependencies first, it last.

    Compiles every package (into the shared GOCACHE) so that each has its export data. Raises
    `GoToolchainError` naming FILE:LINE for the first error go list reports.
    """
    tc = toolchain or Toolchain.installed()
    root = Path(directory).resolve()
    try:
        proc = tc.go(["list", "-e", "-export", "-deps", f"-json={_LIST_FIELDS}", "."], cwd=root, timeout=900)
    except GoToolchainError as exc:  # go.mod itself is broken: the go command exits before listing anything
        raise _positioned(str(exc), root) from None
    packages = _json_stream(proc.stdout)
    main = next((p for p in packages if not p.get("DepOnly")), None)
    if main is None:
        raise GoToolchainError(f"{root}: go list found no package")
    for problem in [main.get("Error"), *(main.get("DepsErrors") or [])]:
        if problem:
            raise _positioned(problem.get("Pos", "") + ": " + problem.get("Err", ""), root)
    for p in packages:
        if p.get("Error"):
            raise _positioned(p["Error"].get("Pos", "") + ": " + p["Error"].get("Err", ""), root)
    if main.get("Name") != "main":
        file = (main.get("GoFiles") or ["?"])[0]
        line = _package_clause_line(root / file)
        raise GoToolchainError(f"{file}:{line}: package {main.get('Name')} is not a main package "
                               f"({main['ImportPath']}): inits needs the module root of a program",
                               file=file, line=line)
    return packages


_DECL = re.compile(r"^(?:func|var|const|type)\b", re.M)
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_IMPORT = re.compile(r"(?:^|;)\s*import\s*(?:\((?P<block>[^)]*)\)|(?P<one>(?:[\w.]+\s+)?[\"`][^\"`]+[\"`]))", re.M)
_SPEC = re.compile(r"[\"`]([^\"`]+)[\"`]")


def imported_in(directory: Path, files: list[str], import_map: dict[str, str], imports: list[str]) -> list:
    """(file, import path) for each import declaration of a package, files in go-command order: read from the
    files' headers (everything before the first top-level func, var, const or type), import paths resolved
    through ``import_map``. Returned only when it agrees with the helper's ``imports`` (source order, each path
    once); otherwise [] (the model then keeps a renamed file's imports where they were)."""
    found = []
    for name in files:
        try:
            text = (directory / name).read_text(errors="replace")
        except OSError:
            return []
        cut = _DECL.search(text)
        header = _COMMENT.sub("", text[:cut.start()] if cut else text)
        for match in _IMPORT.finditer(header):
            for path in _SPEC.findall(match["block"] if match["block"] is not None else match["one"]):
                if path != "C":
                    found.append([name, import_map.get(path, path)])
    return found if list(dict.fromkeys(path for _, path in found)) == list(imports) else []


def _package_clause_line(path: Path) -> int:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return 1
    return next((i for i, line in enumerate(lines, 1) if line.startswith("package ")), 1)


def inittask_sizes(export_files: list[str], *, toolchain: Toolchain | None = None) -> dict[str, int]:
    """``nfns`` of each compiled package (export file → functions in its ``..inittask``; absent: no task)."""
    tc = toolchain or Toolchain.installed()
    if not export_files:
        return {}
    out = tc.go(["tool", "nm", "-size", *export_files]).stdout
    prefix = "" if len(export_files) > 1 else export_files[0] + ":\t"
    sizes: dict[str, int] = {}
    for line in out.splitlines():
        match = _INITTASK.match(prefix + line.strip() if prefix else line)
        if match:
            sizes[match["file"]] = (int(match["size"]) - 8) // 8
    return sizes


# --- the pieces ---------------------------------------------------------------------------------------------


def _extract(tc: Toolchain, root: Path) -> dict:
    listed = go_list(root, toolchain=tc)
    exports = {p["ImportPath"]: p["Export"] for p in listed if p.get("Export")}
    std_dir = cache_dir() / "inits" / f"std-{_std_key(tc)}"
    parts: dict[str, dict] = {}
    for p in listed:
        if p.get("Standard"):
            path = std_dir / (quote(p["ImportPath"], safe="") + ".json")
            if path.is_file():
                parts[p["ImportPath"]] = json.loads(path.read_text())
    todo = [p for p in listed if p["ImportPath"] not in parts]
    analysed = _analyse(tc, [p for p in todo if p["ImportPath"] != "unsafe"], exports)
    nfns = inittask_sizes([p["Export"] for p in todo if p.get("Export")], toolchain=tc)
    lists_deps = records_list_deps(tc)
    for p in todo:  # dependencies first (go list -deps order): their "inittask" is known when p's is needed
        part = analysed.get(p["ImportPath"], _empty(p["ImportPath"]))
        if part["errors"]:
            raise _positioned(part["errors"][0], Path(p["Dir"]), relative_to=root)
        # No ..inittask symbol: MakeTask returned early, the package has nothing to do and no dependency that has.
        part["nfns"] = nfns.get(p.get("Export", ""), 0)
        part["inittask"] = p.get("Export", "") in nfns
        if lists_deps and part["inittask"]:  # the sizes counted 2 more words and one per dependency with a record
            ndeps = sum(parts[i]["inittask"] for i in part["imports"] if i in parts)
            part["nfns"] -= 2 + ndeps
        part["files"] = list(p.get("GoFiles") or [])
        part["std"] = bool(p.get("Standard"))
        if not part["std"]:
            part["imported_in"] = imported_in(Path(p["Dir"]), part["files"], p.get("ImportMap") or {},
                                              part["imports"])
        del part["errors"]
        parts[p["ImportPath"]] = part
        if part["std"]:
            _write_atomic(std_dir / (quote(p["ImportPath"], safe="") + ".json"), json.dumps(part))
    main = next(p for p in listed if not p.get("DepOnly"))
    packages = []
    for p in listed:
        part = dict(parts[p["ImportPath"]])
        if p is main:
            part["path"] = "main"
        packages.append(part)
    return {"module": main["ImportPath"], "toolchain": tc.version, "packages": packages}


def _analyse(tc: Toolchain, packages: list[dict], exports: dict[str, str]) -> dict[str, dict]:
    if not packages:
        return {}
    request = {
        "goarch": _goarch(tc),
        "packages": [{"path": p["ImportPath"], "dir": p["Dir"], "files": p.get("GoFiles") or [],
                      "importmap": p.get("ImportMap") or {}} for p in packages],
        "exports": exports,
    }
    binary = helper(tc)
    try:
        proc = subprocess.run([str(binary)], input=json.dumps(request), capture_output=True, text=True,
                              timeout=600, env=tc.env())
    except subprocess.TimeoutExpired as exc:
        raise GoToolchainError("the initgraph helper did not finish within 600 s") from exc
    if proc.returncode != 0:
        raise GoToolchainError(f"the initgraph helper failed: {proc.stderr.strip()[-1000:]}")
    return {part["path"]: part for part in json.loads(proc.stdout)}


def records_list_deps(tc: Toolchain) -> bool:
    """True for toolchains before Go 1.21, whose inittask records list their dependencies (runtime.doInit
    walks them) rather than leaving the order to the linker."""
    match = re.match(r"go1\.(\d+)", tc.version)
    return bool(match) and int(match[1]) < 21


@cache
def helper(tc: Toolchain) -> Path:
    """The Go helper's binary, built with ``tc`` from ``gosim/toolchain/initgraph`` (cached by content)."""
    return tc.build(HELPER, name="initgraph")


def _empty(path: str) -> dict:
    return {"path": path, "name": path.rsplit("/", 1)[-1], "imports": [], "vars": [], "consts": [], "funcs": [],
            "inits": [], "initorder": [], "errors": []}


@cache
def _goarch(tc: Toolchain) -> str:
    return tc.go(["env", "GOARCH"]).stdout.strip()


def _helper_hash() -> str:
    digest = hashlib.sha256()
    for name in ("go.mod", "main.go"):
        digest.update((HELPER / name).read_bytes())
    return digest.hexdigest()[:12]


def _std_key(tc: Toolchain) -> str:
    return hashlib.sha256(f"{FORMAT}\0{tc.version}\0{tc.goroot}\0{_helper_hash()}".encode()).hexdigest()[:16]


def _program_key(tc: Toolchain, root: Path) -> str:
    """Hash of what the graph depends on: the toolchain, the helper, and the module's .go files and go.mod."""
    digest = hashlib.sha256(f"{FORMAT}\0{tc.version}\0{tc.goroot}\0{_helper_hash()}\0{root}".encode())
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and path.suffix in (".go", ".mod", ".sum") and not any(
                part.startswith((".", "_")) or part == "testdata" for part in rel.parts[:-1]):
            digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def _json_stream(text: str) -> list[dict]:
    decoder, items, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return items
        item, i = decoder.raw_decode(text, i)
        items.append(item)


def _positioned(text: str, where: Path, relative_to: Path | None = None) -> GoToolchainError:
    """A `GoToolchainError` from a tool's message: the first FILE:LINE in it, and its message, on one line."""
    lines = [line.strip() for line in text.replace(str(where) + "/", "").splitlines()
             if line.strip() and not line.startswith("#")]
    for line in lines:
        match = _POSITION.search(line)
        if match:
            file = match["file"]
            if relative_to is not None and not os.path.isabs(file):
                file = os.path.relpath(where / file, relative_to)
            elif os.path.isabs(file):
                file = os.path.relpath(file, relative_to or where)
            msg = match["msg"].strip() or "error"
            return GoToolchainError(f"{file}:{match['line']}: {msg}", file=file, line=int(match["line"]))
    first = next((line.lstrip(": ") for line in lines if line.lstrip(": ")), "go list failed")
    return GoToolchainError(first)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(text)
    tmp.replace(path)
