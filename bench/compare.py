"""What changed between two make bench runs (build/bench.json files).

usage: python3 bench/compare.py OLD.json NEW.json

For every server, endpoint, connection count and worker count in both runs:
requests/s and server CPU time per request, old -> new, with the change in
percent; then the targets whose verdict changed, the CGI exec cost, the Lambda
start and binary sizes. Runs on different machines, or on one machine under
different load, differ for reasons of their own: CPU time per request and the
ratios measured inside one run move least.
"""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def change(old, new):
    if old is None or new is None:
        return "-"
    if old == 0:
        return "n/a"
    return "%+.0f%%" % ((new - old) * 100.0 / old)


def num(v, fmt="%.0f"):
    return "-" if v is None else fmt % v


def key(r):
    return (r["server"], r["endpoint"], r["connections"], r.get("procs", 1))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    old, new = load(sys.argv[1]), load(sys.argv[2])
    print("old: %s, commit %s" % (old["meta"].get("date"), old["meta"].get("commit")))
    print("new: %s, commit %s" % (new["meta"].get("date"), new["meta"].get("commit")))
    print()
    o_runs = {key(r): r for r in old["wrk"]}
    n_runs = {key(r): r for r in new["wrk"]}
    print("| server | endpoint | conns | workers | req/s old | req/s new | change | CPU us/req old | new | change |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k in sorted(set(o_runs) & set(n_runs), key=lambda k: (k[0], k[1], k[3], k[2])):
        a, b = o_runs[k], n_runs[k]
        ca, cb = a.get("server_cpu_us_per_request"), b.get("server_cpu_us_per_request")
        print("| %s | `%s` | %d | %d | %.0f | %.0f | %s | %s | %s | %s |" % (
            k[0], k[1], k[2], k[3], a["requests_per_s"], b["requests_per_s"],
            change(a["requests_per_s"], b["requests_per_s"]), num(ca, "%.1f"), num(cb, "%.1f"), change(ca, cb)))
    only = sorted(set(n_runs) - set(o_runs))
    if only:
        print()
        print("Only in the new run: " + ", ".join("%s %s x%d (%d workers)" % k for k in only))
    o_ratio = {(r["endpoint"], r["connections"], r.get("procs", 1)): r for r in old.get("ratios", [])}
    print()
    print("Ratios measured inside each run (FastCGI over the others):")
    print()
    print("| endpoint | conns | workers | ratio | old | new |")
    print("|---|---:|---:|---|---:|---:|")
    for r in new.get("ratios", []):
        k = (r["endpoint"], r["connections"], r.get("procs", 1))
        for name, v in sorted(r.items()):
            if name.startswith("fcgi_over_"):
                ov = o_ratio.get(k, {}).get(name)
                print("| `%s` | %d | %d | %s | %s | %.2f |" % (k[0], k[1], k[2], name, num(ov, "%.2f"), v))
    o_t = {(t["target"], t["endpoint"], t["connections"]): t for t in old.get("targets", [])}
    changed = [t for t in new.get("targets", [])
               if (t["target"], t["endpoint"], t["connections"]) not in o_t
               or o_t[(t["target"], t["endpoint"], t["connections"])]["met"] != t["met"]]
    print()
    met_old = sum(1 for t in old.get("targets", []) if t["met"])
    met_new = sum(1 for t in new.get("targets", []) if t["met"])
    print("Targets met: %d of %d before, %d of %d now." % (
        met_old, len(old.get("targets", [])), met_new, len(new.get("targets", []))))
    for t in changed:
        print("  now %s: %s, %s, %s connections (%s, needed %s)" % (
            "met" if t["met"] else "NOT met", t["target"], t["endpoint"], t["connections"], t["value"], t["threshold"]))
    oe, ne = old.get("cgi_exec_us", {}), new.get("cgi_exec_us", {})
    if "app_cgi" in oe and "app_cgi" in ne:
        print()
        for label in ("app_cgi", "bin_true"):
            print("CGI exec %s: CPU %.0f -> %.0f us (%s), wall %.0f -> %.0f us (%s)" % (
                label, oe[label]["cpu"], ne[label]["cpu"], change(oe[label]["cpu"], ne[label]["cpu"]),
                oe[label]["wall"], ne[label]["wall"], change(oe[label]["wall"], ne[label]["wall"])))
    ol, nl = old.get("lambda", {}), new.get("lambda", {})
    if ol and nl:
        print("Lambda start to first /next: %.1f -> %.1f ms (%s)" % (
            ol["start_to_next_ms"], nl["start_to_next_ms"], change(ol["start_to_next_ms"], nl["start_to_next_ms"])))
    ob, nb = old.get("binary_bytes", {}), new.get("binary_bytes", {})
    for name in sorted(set(ob) & set(nb)):
        print("%s: %d -> %d bytes stripped (%s)" % (
            name, ob[name]["stripped"], nb[name]["stripped"], change(ob[name]["stripped"], nb[name]["stripped"])))


if __name__ == "__main__":
    main()
