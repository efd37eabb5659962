"""Issue 25's targets for bench/report.py: each measured in the same run, marked met or
not, and, when not, with what bounds it, from this run's own figures (callgrind's
instructions per request by object file and function, the bare responders' ratios,
CPU time per request). Also prints the instruction and image tables they rest on."""

CONNS = (16, 64)
INSTR_RATIO = 1.3       # instructions per request, over the bare responder's
ACCESS_LINE_MAX = 1500  # instructions the access line may cost
LOG_COST_MAX = 0.03     # logging on: at most 3 % more CPU per request than off
IMAGE_MAX_BYTES = 30000000
# The access line's own functions (app/http/log.c, log_line.c; fcgi/worker/log_gather.c).
LOG_FUNCTIONS = ("log_access_write", "line_escape", "escape_upto", "line_copy_if_plain", "line_put_number", "head",
                 "now_text", "finish", "gather_line", "hold")


def _key(doc):
    return {(r["server"], r["label"], r["connections"], r["procs"]): r for r in doc["wrk"]}


def _cg(doc, server, label):
    return doc["callgrind"].get(server, {}).get(label, {})


def _objects(cg):
    return ", ".join("%s %d" % (o, n) for o, n in sorted(cg.get("by_object", {}).items(), key=lambda x: -x[1])
                     if n >= 100)


def _instr_bound(doc, label):
    """What app.fcgi does per request that the bare responder does not (callgrind)."""
    mine, bare = _cg(doc, "fcgi", label), _cg(doc, "bareclose", label)
    if not mine.get("instructions") or not bare.get("instructions"):
        return "no callgrind figures in this run (valgrind missing)"
    top = "; ".join("%s %d" % (n, i) for n, i in mine.get("top", [])[:5])
    return ("worker instructions per request (callgrind): app.fcgi %d (%s) against the bare responder's %d (%s); "
            "costliest functions: %s" % (mine["instructions"], _objects(mine), bare["instructions"],
                                         _objects(bare), top))


def _cpu(r):
    return r.get("server_cpu_us_per_request") if r else None


def _ratio_targets(doc, out):
    by = _key(doc)
    checks = [("FastCGI >= 0.95 x bare libfcgi responder closing at once", "bareclose", 0.95),
              ("FastCGI >= 3 x nginx + php-fpm 8.2 (pm static)", "php", 3.0),
              ("FastCGI >= 4 x uvicorn + FastAPI", "fastapi", 4.0)]
    for name, other, need in checks:
        for label in doc["bodies"]:
            for conns in CONNS:
                a, b = by.get(("fcgi", label, conns, 1)), by.get((other, label, conns, 1))
                if not a or not b or not b["requests_per_s"]:
                    continue
                value = a["requests_per_s"] / b["requests_per_s"]
                by_cpu = round(_cpu(b) / _cpu(a), 3) if _cpu(a) and _cpu(b) else None
                t = {"target": name, "endpoint": a["endpoint"], "connections": conns, "value": round(value, 3),
                     "by_cpu": by_cpu, "threshold": need, "met": value >= need}
                if not t["met"]:
                    t["bound"] = _ratio_bound(doc, by, label, conns, other, need, a, b)
                out.append(t)


def _ratio_bound(doc, by, label, conns, other, need, a, b):
    """Why FastCGI/other stays under need: the ceiling any responder behind this
    lighttpd reaches, else the worker's own instructions."""
    bare, static = by.get(("bareclose", label, conns, 1)), by.get(("static", label, conns, 1))
    parts = []
    if other != "bareclose" and bare and b["requests_per_s"]:
        ceiling = bare["requests_per_s"] / b["requests_per_s"]
        parts.append("the bare responder closing at once reaches %.2f x here%s" % (
            ceiling, " (below %.1f: no FastCGI responder behind this lighttpd meets it)" % need if ceiling < need else ""))
    if static and _cpu(static) and _cpu(a):
        parts.append("server CPU per request: FastCGI %.0f us (lighttpd alone, serving a static file: %.0f us), "
                     "%s %.0f us" % (_cpu(a), _cpu(static), other, _cpu(b) or 0))
    if other == "bareclose" or not parts or (bare and b["requests_per_s"] and bare["requests_per_s"] / b["requests_per_s"] >= need):
        parts.append(_instr_bound(doc, label))
    return "; ".join(parts)


def _instr_targets(doc, out):
    for label, body in doc["bodies"].items():
        mine, off, bare = (_cg(doc, s, label).get("instructions") for s in ("fcgi", "nolog", "bareclose"))
        if not mine or not bare:
            continue
        value = mine / bare
        t = {"target": "instructions per request <= 1.3 x the bare responder's (access log on)",
             "endpoint": body["path"], "connections": None, "value": round(value, 2), "threshold": INSTR_RATIO,
             "figures": "%d / %d" % (mine, bare), "met": value <= INSTR_RATIO}
        if not t["met"]:
            t["bound"] = _instr_bound(doc, label)
        out.append(t)
        if off:
            line = mine - off
            t = {"target": "the access line <= 1500 instructions", "endpoint": body["path"], "connections": None,
                 "value": line, "threshold": ACCESS_LINE_MAX, "figures": "%d - %d (LOG_FORMAT=off)" % (mine, off),
                 "met": line <= ACCESS_LINE_MAX}
            if not t["met"]:
                on_o, off_o = _cg(doc, "fcgi", label)["by_object"], _cg(doc, "nolog", label)["by_object"]
                diff = ", ".join("%s %+d" % (o, on_o.get(o, 0) - off_o.get(o, 0)) for o in sorted(on_o)
                                 if abs(on_o.get(o, 0) - off_o.get(o, 0)) >= 50)
                logf = "; ".join("%s %d" % (n, i) for n, i in _cg(doc, "fcgi", label).get("top", [])
                                 if n.split(" ")[0] in LOG_FUNCTIONS)
                t["bound"] = "the line's instructions by object (on - off): %s%s" % (
                    diff, "; log functions among the costliest: " + logf if logf else "")
            out.append(t)


def _log_targets(doc, out):
    by = _key(doc)
    for label in doc["bodies"]:
        for conns in CONNS:
            on, off = by.get(("fcgi", label, conns, 1)), by.get(("nolog", label, conns, 1))
            if not _cpu(on) or not _cpu(off):
                continue
            cost = _cpu(on) / _cpu(off) - 1
            t = {"target": "logging on costs <= 3 % CPU per request against off (this column has no metrics: "
                           "make bench-metrics measures both against both off)", "endpoint": on["endpoint"],
                 "connections": conns,
                 "value": "%+.1f %%" % (cost * 100), "threshold": "3 %",
                 "figures": "%.1f / %.1f us" % (_cpu(on), _cpu(off)), "met": cost <= LOG_COST_MAX}
            if not t["met"]:
                mine, off_i = _cg(doc, "fcgi", label).get("instructions"), _cg(doc, "nolog", label).get("instructions")
                t["bound"] = ("the access line is %d of the worker's %d instructions per request (%.1f %%, callgrind); "
                              "CPU per request moves by a few %% between rounds on a shared machine (by requests/s: "
                              "%.2f)" % (mine - off_i, mine, 100.0 * (mine - off_i) / mine,
                                         on["requests_per_s"] / off["requests_per_s"])) if mine and off_i else \
                    "no callgrind figures in this run"
            out.append(t)


def targets(doc):
    out = []
    _ratio_targets(doc, out)
    _instr_targets(doc, out)
    _log_targets(doc, out)
    new = doc["image"].get("new")
    if new:
        out.append({"target": "container image <= 30 MB", "endpoint": "image", "connections": None,
                    "value": "%.1f MB" % (new["bytes"] / 1e6), "threshold": "30 MB",
                    "met": new["bytes"] <= IMAGE_MAX_BYTES})
    return out


def print_targets(doc):
    cg = doc["callgrind"]
    if cg:
        print("Instructions per request in the worker (callgrind, user space; `make bench-callgrind` alone):")
        print()
        print("| endpoint | app.fcgi | the same, LOG_FORMAT=off | access line | bare (close.c) | bare, closes at once "
              "| app.fcgi / bare at once | by object, app.fcgi | by object, bare at once |")
        print("|---|---:|---:|---:|---:|---:|---:|---|---|")
        for label, body in doc["bodies"].items():
            f = [cg.get(s, {}).get(label, {}).get("instructions") for s in ("fcgi", "nolog", "bare", "bareclose")]
            cells = ["%d" % v if v else "-" for v in f]
            print("| `%s` | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                body["path"], cells[0], cells[1], "%d" % (f[0] - f[1]) if f[0] and f[1] else "-", cells[2], cells[3],
                "%.2f" % (f[0] / f[3]) if f[0] and f[3] else "-",
                _objects(_cg(doc, "fcgi", label)), _objects(_cg(doc, "bareclose", label))))
        print()
    img = doc["image"]
    if img:
        print("Container image (bench/image.sh; old: the Dockerfile on debian:bookworm-slim, same sources), "
              "medians (minimum) of %d starts, from `podman run` to:" % next(iter(img.values()))["runs"])
        print()
        print("| image | size | ECS mode: first 200 on GET / | Lambda mode: first GET /next |")
        print("|---|---:|---:|---:|")
        for label, i in img.items():
            print("| %s | %.1f MB | %.0f ms (%.0f) | %.0f ms (%.0f) |" % (
                label, i["bytes"] / 1e6, i["ecs_first_answer_ms"], i["ecs_first_answer_min_ms"],
                i["lambda_first_next_ms"], i["lambda_first_next_min_ms"]))
        print()
    ts = doc["targets_issue25"]
    print("Targets of issue 25, from this run (conns: 1 worker process each; by CPU: the same ratio from CPU time "
          "per request):")
    print()
    print("| target | endpoint | conns | measured | needed | | by CPU | figures | what bounds it (measured) |")
    print("|---|---|---:|---:|---:|---|---:|---|---|")
    for t in ts:
        print("| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |" % (
            t["target"], t["endpoint"], t["connections"] or "", t["value"], t["threshold"],
            "met" if t["met"] else "**not met**", t.get("by_cpu") or "", t.get("figures", ""), t.get("bound", "")))
    print()
    print("%d of %d of issue 25's targets met." % (sum(1 for t in ts if t["met"]), len(ts)))
    print()
