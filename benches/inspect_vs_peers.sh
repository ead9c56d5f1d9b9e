#!/usr/bin/env bash
# `sockviz inspect` against the tools a user would otherwise run, on the same 2M-packet capture,
# in the same run (STYLE.md habit 10: quote the ratios, never absolute times from another day).
#
#   bash benches/inspect_vs_peers.sh            # RUNS=5 by default
#   RUNS=10 DATA=/some/dir bash benches/inspect_vs_peers.sh
#
# 1. builds sockviz (release);
# 2. makes the corpus if it is missing: benches/corpus/make-corpus.sh (needs root, ~20 s, ~2 GB
#    under target/bench-corpus): small.pcap (real loopback traffic), large.pcap (>= 2,000,000
#    packets), large.pcapng;
# 3. checks that sockviz finds the same TCP conversations as tshark in small.pcap;
# 4. times, interleaved (A B C D A B C D ...) so drift hits every command alike:
#      sockviz inspect large.pcap --json      sockviz inspect large.pcapng --json
#      tshark -r large.pcap -q -z conv,tcp    tcpdump -nn -r large.pcap -w /dev/null
#    wall time and peak RSS from /usr/bin/time (package `time`); with hyperfine installed, the
#    wall times come from hyperfine (--warmup 1) and /usr/bin/time adds the RSS;
# 5. prints median wall time, peak RSS and the ratios against the targets:
#      tshark / sockviz wall >= 20x, sockviz / tcpdump wall <= 2x, sockviz RSS / tshark RSS < 0.1.
#
# It measures and reports; it exits non-zero only when something could not be run.
# Needs: cargo, tshark, tcpdump, python3, /usr/bin/time; for the corpus also root, ethtool,
# iproute2 (see benches/corpus/README.md).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
RUNS="${RUNS:-5}"
DATA="${DATA:-$ROOT/target/bench-corpus}"
SOCKVIZ="$ROOT/target/release/sockviz"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

need() { command -v "$1" >/dev/null || { echo "inspect_vs_peers: $1 not found ($2)" >&2; exit 2; }; }
need cargo "https://rustup.rs"; need tshark "apt-get install -y tshark"
need tcpdump "apt-get install -y tcpdump"; need python3 "apt-get install -y python3"
[[ -x /usr/bin/time ]] || { echo "inspect_vs_peers: /usr/bin/time not found (apt-get install -y time)" >&2; exit 2; }

echo "== building sockviz (release)"
cargo build --release --locked --quiet

if [[ ! -s "$DATA/large.pcap" || ! -s "$DATA/large.pcapng" ]]; then
    echo "== making the corpus in $DATA (benches/corpus/make-corpus.sh)"
    [[ $(id -u) == 0 ]] || { echo "inspect_vs_peers: making the corpus needs root (unshare -n, capture)" >&2; exit 2; }
    (mkdir -p "$DATA" && DATA="$DATA" bash "$ROOT/benches/corpus/make-corpus.sh")
fi
capinfos -c -M "$DATA/large.pcap" 2>/dev/null | sed -n 's/^Number of packets: */large.pcap packets: /p' || true
ls -l "$DATA/large.pcap" "$DATA/large.pcapng" | awk '{print $NF ": " $5 " bytes"}'

# ---------------------------------------------------------------- 3. cross-check on small.pcap
echo "== cross-check on small.pcap: TCP conversations, sockviz vs tshark"
SOCKVIZ_OK=1
if "$SOCKVIZ" inspect "$DATA/small.pcap" --json >"$TMP/small.json" 2>"$TMP/small.err"; then
    tshark -r "$DATA/small.pcap" -q -z conv,tcp 2>/dev/null >"$TMP/small.conv"
    python3 - "$TMP/small.json" "$TMP/small.conv" <<'EOF'
import json, sys
ours = json.load(open(sys.argv[1]))
rows = [l.split() for l in open(sys.argv[2]) if "<->" in l]
conns = ours["connections"]
frames_ours = sorted(c["packets"]["to_server"] + c["packets"]["to_client"] for c in conns)
frames_tshark = sorted(int(r[9]) for r in rows)
print(f"sockviz: {len(conns)} connections, {sum(frames_ours)} TCP frames in them; "
      f"tshark: {len(rows)} conversations, {sum(frames_tshark)} frames")
if len(conns) != len(rows) or frames_ours != frames_tshark:
    print("MISMATCH: sockviz and tshark disagree on small.pcap", file=sys.stderr)
    sys.exit(1)
print("match")
EOF
else
    SOCKVIZ_OK=0
    echo "sockviz inspect failed on small.pcap: $(head -1 "$TMP/small.err")"
    echo "(timing the peers only)"
fi

# ---------------------------------------------------------------- 4. timings
NAMES=(sockviz_pcap sockviz_pcapng tshark tcpdump)
declare -A CMD=(
    [sockviz_pcap]="$SOCKVIZ inspect $DATA/large.pcap --json"
    [sockviz_pcapng]="$SOCKVIZ inspect $DATA/large.pcapng --json"
    [tshark]="tshark -r $DATA/large.pcap -q -z conv,tcp"
    [tcpdump]="tcpdump -nn -r $DATA/large.pcap -w /dev/null"
)
if [[ $SOCKVIZ_OK == 0 ]]; then NAMES=(tshark tcpdump); fi

echo "== timing ${NAMES[*]}: $RUNS runs each, interleaved"
for ((i = 1; i <= RUNS; i++)); do
    for n in "${NAMES[@]}"; do
        # shellcheck disable=SC2086  # the command is words on purpose
        /usr/bin/time -f '%e %M' -a -o "$TMP/$n.time" ${CMD[$n]} >/dev/null 2>"$TMP/$n.err" || {
            echo "inspect_vs_peers: '${CMD[$n]}' failed:" >&2; tail -3 "$TMP/$n.err" >&2; exit 1; }
    done
done

if command -v hyperfine >/dev/null; then
    echo "== hyperfine (wall times)"
    args=()
    for n in "${NAMES[@]}"; do args+=(-n "$n" "${CMD[$n]} >/dev/null 2>&1"); done
    hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$TMP/hyperfine.json" "${args[@]}"
fi

# ---------------------------------------------------------------- 5. report
python3 - "$TMP" "${NAMES[@]}" <<'EOF'
import json, os, statistics, sys
tmp, names = sys.argv[1], sys.argv[2:]
wall, rss = {}, {}
for n in names:
    rows = [l.split() for l in open(os.path.join(tmp, n + ".time")) if l.strip()]
    rows = [r for r in rows if len(r) == 2]
    wall[n] = statistics.median(float(r[0]) for r in rows)
    rss[n] = statistics.median(int(r[1]) for r in rows) / 1024  # KiB -> MiB
source = "/usr/bin/time"
hf = os.path.join(tmp, "hyperfine.json")
if os.path.exists(hf):
    for r in json.load(open(hf))["results"]:
        wall[r["command"]] = r["median"]
    source = "hyperfine"
print(f"\n{'command':<16} {'median wall (s)':>16} {'peak RSS (MiB)':>15}   (wall: {source}; RSS: /usr/bin/time)")
for n in names:
    print(f"{n:<16} {wall[n]:>16.3f} {rss[n]:>15.1f}")
if "sockviz_pcap" not in wall:
    print("\nsockviz could not read the corpus: no ratios")
    sys.exit(0)
sv = wall["sockviz_pcap"]
checks = [
    ("tshark / sockviz wall", wall["tshark"] / sv, ">=", 20),
    ("sockviz / tcpdump wall", sv / wall["tcpdump"], "<=", 2),
    ("sockviz RSS / tshark RSS", rss["sockviz_pcap"] / rss["tshark"], "<", 0.1),
    ("pcapng / pcap sockviz wall", wall["sockviz_pcapng"] / sv, "", None),
]
print()
for label, value, op, target in checks:
    if target is None:
        print(f"{label:<28} {value:8.2f}")
        continue
    ok = {">=": value >= target, "<=": value <= target, "<": value < target}[op]
    print(f"{label:<28} {value:8.2f}   target {op} {target}: {'met' if ok else 'NOT met'}")
EOF
