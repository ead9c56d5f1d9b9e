#!/usr/bin/env python3
"""`sockviz inspect --json` against tshark on a corpus of public, real-world captures.

The corpus is the test captures of packet tools (not made here), at these commits:

    the-tcpdump-group/tcpdump  39b50f76  tests/*.pcap, *.pcapng
    the-tcpdump-group/libpcap  f26ae497  every *.pcap / *.pcapng
    secdev/scapy               ac38b273  test/pcaps/* (gunzipped)

    python3 scripts/corpus_crosscheck.py --fetch target/corpus   # clone those, collect files
    python3 scripts/corpus_crosscheck.py target/corpus [--verbose] [--json out.json]

For every file: tshark's TCP streams (`tcp.stream`, per-frame fields, the same preferences as
tests/tshark_crosscheck.rs) against sockviz's connections, in order of first frame: the same
endpoints, frames and bytes each way, and the same count of each tcp.analysis flag. A file
matches when all of that is equal. Files tshark cannot read are counted apart, as are files in
which neither finds TCP. Prints the match rate over the files with TCP, and each difference.
Needs tshark and a built sockviz (target/release/sockviz, or --sockviz PATH).
"""

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

SOURCES = [
    ("the-tcpdump-group/tcpdump", "39b50f76", ["tests"]),
    ("the-tcpdump-group/libpcap", "f26ae497", [""]),
    ("secdev/scapy", "ac38b273", ["test/pcaps"]),
]
PREFS = ["-o", "tcp.analyze_sequence_numbers:TRUE", "-o", "tcp.relative_sequence_numbers:TRUE"]
ANALYSIS = [
    ("retransmission", "tcp.analysis.retransmission"),
    ("fast_retransmission", "tcp.analysis.fast_retransmission"),
    ("spurious_retransmission", "tcp.analysis.spurious_retransmission"),
    ("out_of_order", "tcp.analysis.out_of_order"),
    ("dup_ack", "tcp.analysis.duplicate_ack"),
    ("zero_window", "tcp.analysis.zero_window"),
    ("zero_window_probe", "tcp.analysis.zero_window_probe"),
    ("window_full", "tcp.analysis.window_full"),
    ("window_update", "tcp.analysis.window_update"),
    ("keep_alive", "tcp.analysis.keep_alive"),
]
EXTS = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")


def fetch(dest):
    """Clone each source at its commit and copy its captures under dest/<owner>-<name>/."""
    work = os.path.join(dest, ".clones")
    os.makedirs(work, exist_ok=True)
    for repo, commit, roots in SOURCES:
        clone = os.path.join(work, repo.replace("/", "-"))
        if not os.path.isdir(clone):
            subprocess.run(["git", "clone", "--quiet", "--filter=blob:none",
                            f"https://github.com/{repo}", clone], check=True)
        subprocess.run(["git", "-C", clone, "checkout", "--quiet", commit], check=True)
        out = os.path.join(dest, repo.replace("/", "-"))
        for root in roots:
            for d, _, files in os.walk(os.path.join(clone, root)):
                if ".git" in d:
                    continue
                for f in files:
                    if not f.endswith(EXTS):
                        continue
                    src = os.path.join(d, f)
                    rel = os.path.relpath(src, clone).replace("/", "__")
                    os.makedirs(out, exist_ok=True)
                    if f.endswith(".gz"):
                        with gzip.open(src) as g, open(os.path.join(out, rel[:-3]), "wb") as o:
                            shutil.copyfileobj(g, o)
                    else:
                        shutil.copy(src, os.path.join(out, rel))


def tshark_streams(path):
    # occurrence=a: every value, comma-separated; the innermost IP is the connection's.
    args = ["tshark", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a"]
    args += PREFS
    for f in ["tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst",
              "tcp.dstport", "frame.len", "frame.protocols"] + [f for _, f in ANALYSIS]:
        args += ["-e", f]
    p = subprocess.run(args, capture_output=True, text=True, errors="replace", timeout=300)
    if p.returncode != 0 and not p.stdout:
        return None, p.stderr.strip().splitlines()[-1:] or ["tshark failed"]
    streams = {}
    for line in p.stdout.splitlines():
        c = line.split("\t")
        if len(c) < 9 + len(ANALYSIS) or not c[0].split(",")[0].isdigit():
            continue
        # The IP layer right before the first TCP names the ends (tunnels put more IP
        # layers before it; OpenFlow or sFlow payloads more after it); tshark lists a
        # field's values in protocol order.
        layers = c[8].split(":")
        before = layers[:layers.index("tcp")] if "tcp" in layers else layers
        ips = [p for p in before if p in ("ip", "ipv6")]
        v6 = bool(ips) and ips[-1] == "ipv6"
        k = max(0, sum(1 for p in ips if p == ips[-1]) - 1) if ips else 0
        pick = lambda v: (v.split(",") + [""] * (k + 1))[k] if v else v
        ip = lambda v4, v6addr: pick(v6addr if v6 else v4)
        first = lambda v: v.split(",")[0]
        src = (ip(c[1], c[2]), first(c[3]))
        dst = (ip(c[4], c[5]), first(c[6]))
        c = [c[0].split(",")[0]] + c[1:8] + c[9:]
        s = streams.setdefault(int(c[0]), {"a": src, "b": dst, "frames": [0, 0],
                                          "bytes": [0, 0], "analysis": [0] * len(ANALYSIS)})
        d = 0 if src == s["a"] else 1
        s["frames"][d] += 1
        s["bytes"][d] += int(c[7].split(",")[0] or 0)
        for i, v in enumerate(c[8:8 + len(ANALYSIS)]):
            s["analysis"][i] += 1 if v else 0
    return [streams[k] for k in sorted(streams)], None


def endpoint(s):
    """sockviz prints `1.2.3.4:80` and `[::1]:80`; tshark's pieces are (addr, port)."""
    addr, port = s.rsplit(":", 1)
    return (addr.strip("[]"), port)


def compare(path, sockviz):
    try:
        theirs, err = tshark_streams(path)
    except subprocess.TimeoutExpired:
        return "tshark-timeout", ["tshark took over 300 s"]
    p = subprocess.run([sockviz, "inspect", path, "--json"], capture_output=True, text=True,
                       errors="replace", timeout=300)
    if p.returncode not in (0,):
        if theirs is None:
            return "both-refuse", [err[0] if err else ""]
        if p.returncode == 2:
            return "sockviz-refuses", [p.stderr.strip()[:200]]
        return "sockviz-crash", [f"exit {p.returncode}: {p.stderr.strip()[-300:]}"]
    ours = json.loads(p.stdout)
    if theirs is None:
        return "tshark-refuses", [err[0] if err else ""]
    conns = sorted(ours["connections"], key=lambda c: c["id"])
    if not theirs and not conns:
        return "no-tcp", []
    diffs = []
    if len(theirs) != len(conns):
        diffs.append(f"tshark {len(theirs)} streams, sockviz {len(conns)} connections")
    for i, (t, c) in enumerate(zip(theirs, conns)):
        cl, sv = endpoint(c["client"]), endpoint(c["server"])
        if {cl, sv} != {t["a"], t["b"]}:
            diffs.append(f"stream {i}: tshark {t['a']}<->{t['b']}, sockviz {cl}->{sv}")
            continue
        fwd = cl == t["a"]
        pk, by = c["packets"], c["bytes"]
        ours_fb = ([pk["to_server"], pk["to_client"]], [by["to_server"], by["to_client"]])
        if not fwd:
            ours_fb = (ours_fb[0][::-1], ours_fb[1][::-1])
        if (t["frames"], t["bytes"]) != ours_fb:
            diffs.append(f"stream {i}: frames/bytes tshark {t['frames']} {t['bytes']}, "
                         f"sockviz {ours_fb[0]} {ours_fb[1]}")
        a = [c["analysis"][k] for k, _ in ANALYSIS]
        if a != t["analysis"]:
            names = [k for (k, _), x, y in zip(ANALYSIS, a, t["analysis"]) if x != y]
            diffs.append(f"stream {i}: analysis {names} tshark "
                         f"{[t['analysis'][j] for j, (k, _) in enumerate(ANALYSIS) if k in names]} "
                         f"sockviz {[a[j] for j, (k, _) in enumerate(ANALYSIS) if k in names]}")
    return ("match" if not diffs else "differ"), diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--fetch", action="store_true", help="clone the sources into DIR first")
    ap.add_argument("--sockviz", default=os.path.join(os.path.dirname(__file__), "..",
                                                      "target", "release", "sockviz"))
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--json", help="write per-file results here")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if args.fetch:
        fetch(args.dir)
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(args.dir) if ".clones" not in d
                   for f in fs if f.endswith(EXTS) and not f.endswith(".gz"))
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda f: (f, *compare(f, args.sockviz)), files))
    counts = {}
    for f, kind, diffs in results:
        counts[kind] = counts.get(kind, 0) + 1
        if kind not in ("match", "no-tcp", "both-refuse") or args.verbose:
            print(f"{kind:16} {os.path.relpath(f, args.dir)}")
            for d in diffs[:6]:
                print(f"                 {d}")
    with_tcp = counts.get("match", 0) + counts.get("differ", 0) + counts.get("sockviz-refuses", 0) \
        + counts.get("sockviz-crash", 0)
    print(f"\n{len(files)} files: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if with_tcp:
        print(f"match rate over the {with_tcp} files tshark reads that contain TCP: "
              f"{counts.get('match', 0)}/{with_tcp} = {100 * counts.get('match', 0) / with_tcp:.1f}%")
    if args.json:
        with open(args.json, "w") as o:
            json.dump([{"file": os.path.relpath(f, args.dir), "result": k, "diffs": d}
                       for f, k, d in results], o, indent=1)
    sys.exit(1 if counts.get("sockviz-crash") else 0)


if __name__ == "__main__":
    main()
