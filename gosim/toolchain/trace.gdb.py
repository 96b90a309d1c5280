# Runs inside gdb's embedded Python (gdb -batch -x trace.gdb.py BINARY), started by gosim.toolchain.gdb.
# It sets the breakpoints named in the JSON config, runs the program, and for every stop writes one JSON line:
# the thread, the ELF symbol and source position, the caller; at the configured functions it also reads the
# scheduler's state (Gs, Ps, Ms) from the runtime's globals. Nothing here is imported by gosim itself.
import json
import os
import re

import gdb

CONFIG = json.load(open(os.environ["GOSIM_GDB_CONFIG"]))
OUT = open(CONFIG["output"], "w")
G_STATUS = {0: "idle", 1: "runnable", 2: "running", 3: "syscall", 4: "waiting", 6: "dead", 8: "copystack",
            9: "preempted"}
P_STATUS = {0: "idle", 1: "running", 2: "syscall", 3: "gcstop", 4: "dead"}


def emit(record):
    OUT.write(json.dumps(record) + "\n")
    OUT.flush()


def go_name(text):
    # gdb shows some Go symbols as pkg[name]; the Go tools write pkg.name
    return re.sub(r"^([\w/.-]+)\[(.+)\]$", r"\1.\2", text)


def symbol_at(pc):
    text = gdb.execute(f"info symbol {pc:#x}", to_string=True).strip()
    if text.startswith("No symbol"):
        return None
    return go_name(text.split(" in section")[0].split(" + ")[0].strip())


def where(frame):
    sal = frame.find_sal()
    return (sal.symtab.filename if sal.symtab else None), sal.line


def value(expr):
    try:
        v = gdb.parse_and_eval(expr)
        t = v.type.strip_typedefs()
        if t.code == gdb.TYPE_CODE_STRUCT and "value" in [f.name for f in t.fields()]:
            v = v["value"]
        return int(v)
    except gdb.error:
        return None


def fn_name(pc):
    try:
        block = gdb.block_for_pc(int(pc))
        return block.function.name if block and block.function else symbol_at(int(pc))
    except (gdb.error, RuntimeError):
        return None


def wait_reason(code):
    try:
        s = gdb.parse_and_eval("'runtime.waitReasonStrings'")[code]
        return s["str"].string(length=int(s["len"]))
    except gdb.error:
        return str(code)


def snapshot():
    gptr = gdb.lookup_type("runtime.g").pointer()
    pptr = gdb.lookup_type("runtime.p").pointer()
    mptr = gdb.lookup_type("runtime.m").pointer()
    state = {name: value(f"'runtime.sched'.{name}") for name in ("npidle", "nmidle", "nmspinning", "nmsys")}
    state["gomaxprocs"] = value("'runtime.gomaxprocs'")
    state["global_runq"] = value("'runtime.sched'.runq.size")
    gs = []
    allgs = gdb.parse_and_eval("'runtime.allgs'")
    for i in range(int(allgs["len"])):
        g = allgs["array"][i]
        status = int(g["atomicstatus"]["value"]) & ~0x1000
        gs.append({"goid": int(g["goid"]), "status": G_STATUS.get(status, str(status)),
                   "fn": fn_name(g["startpc"]),
                   "waitreason": wait_reason(int(g["waitreason"])) if status == 4 else None})
    ps = []
    allp = gdb.parse_and_eval("'runtime.allp'")
    for i in range(int(allp["len"])):
        p = allp["array"][i]
        runnext = int(p["runnext"])
        m = int(p["m"])
        head, tail = int(p["runqhead"]), int(p["runqtail"])
        runq = [int(gdb.Value(int(p["runq"][k % 256])).cast(gptr)["goid"]) for k in range(head, tail)]
        ps.append({"id": int(p["id"]), "status": P_STATUS.get(int(p["status"]), str(int(p["status"]))),
                   "m": int(gdb.Value(m).cast(mptr)["id"]) if m else None,
                   "runnext": int(gdb.Value(runnext).cast(gptr)["goid"]) if runnext else None,
                   "runq": runq, "schedtick": int(p["schedtick"])})
    ms = []
    m = gdb.parse_and_eval("'runtime.allm'")
    while int(m) != 0:
        p = int(m["p"])
        start = None
        try:
            # gdb types a Go func() field as a function, not a pointer: read the field's word (a *funcval),
            # then the funcval's first word (the code pointer).
            word = gdb.lookup_type("uintptr").pointer()
            funcval = int(m["mstartfn"].address.cast(word).dereference())
            if funcval:
                start = fn_name(int(gdb.Value(funcval).cast(word).dereference()))
        except gdb.error:
            pass
        ms.append({"id": int(m["id"]), "p": int(gdb.Value(p).cast(pptr)["id"]) if p else None,
                   "curg": int(m["curg"]["goid"]) if int(m["curg"]) else None,
                   "spinning": bool(m["spinning"]), "mstartfn": start})
        m = m["alllink"]
    state.update(gs=gs, ps=ps, ms=sorted(ms, key=lambda x: x["id"]))
    return state


def main():
    for setting in ("pagination off", "confirm off", "print thread-events off", "startup-with-shell off",
                    "print inferior-events off"):
        gdb.execute(f"set {setting}")
    for name in CONFIG["breakpoints"]:
        gdb.Breakpoint(name)
    pending = set(CONFIG.get("snapshot_at", []))
    hits = 0
    gdb.execute("run")
    while hits < CONFIG.get("max_hits", 1000):
        try:
            thread = gdb.selected_thread()
            frame = gdb.selected_frame()
        except gdb.error:
            break
        if thread is None or not thread.is_valid():
            break
        hits += 1
        file, line = where(frame)
        symbol = symbol_at(frame.pc())
        function = go_name(frame.name() or symbol or "?")
        record = {"thread": thread.num, "symbol": symbol, "function": function, "file": file, "line": line,
                  "inlined": frame.type() == gdb.INLINE_FRAME}
        older = frame.older()
        if older is not None and symbol_at(older.pc()):
            cfile, cline = where(older)
            # gdb's `info symbol` prints runtime.init.6 as "runtime.init"; the frame's name keeps the suffix
            record["caller"] = {"symbol": symbol_at(older.pc()), "file": cfile, "line": cline,
                                "function": go_name(older.name()) if older.name() else None}
        elif older is None:
            # gdb does not unwind out of some frames (main.main built with -N -l); the return address it
            # reads for the frame still names the caller. At a JMP target it reads argc there: no symbol.
            try:
                saved = re.search(r"saved rip = (0x[0-9a-f]+)", gdb.execute("info frame", to_string=True))
                caller = symbol_at(int(saved[1], 16)) if saved else None
            except gdb.error:  # the frame's memory cannot be read (a thread in the middle of a switch)
                caller = None
            if caller:
                record["caller"] = {"symbol": caller, "file": None, "line": None, "function": caller}
        if thread.num == 1 and function in pending:
            pending.discard(function)
            try:
                record["state"] = snapshot()
            except (gdb.error, RuntimeError) as exc:
                record["state_error"] = str(exc)
        emit(record)
        if thread.num == 1 and function == CONFIG.get("until"):
            gdb.execute("kill")
            break
        try:
            gdb.execute("continue")
        except gdb.error:
            break
    emit({"end": True, "hits": hits})


main()
