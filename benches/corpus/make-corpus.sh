#!/usr/bin/env bash
# Build the sockviz benchmark corpus under $DATA (default: ./target/bench-corpus, from where you run it).
#
#   $DATA/small.pcap    real loopback traffic: workload.py captured with tcpdump -i lo, run in a
#                      private network namespace (unshare -n) whose lo has MTU 1500 and TSO/GSO
#                      off, so segments are Ethernet-sized and nothing else is on the wire.
#   $DATA/large.pcap    replicate.py: N rewritten copies of small.pcap (copy k gets its own
#                      127.x.y.1 / fd00::k:1 addresses, time offset k*STEP, merged in time order)
#                      -> >= MIN_PACKETS packets, deterministic given small.pcap.
#   $DATA/large.pcapng  editcap -F pcapng data/large.pcap
#   $DATA/MANIFEST.txt  capinfos + sha256 of every file, tshark connection count.
#
# Usage: benches/corpus/make-corpus.sh [--force]     (--force re-captures small.pcap)
#
# Vendored from the project's shared bench kit (shared/bench) so the repository is self-contained;
# changed here: tcpdump is stopped 1.5 s (not 0.5 s) after the workload, longer than libpcap's
# 1000 ms buffer timeout, and the capture is rejected unless tcpdump kept every packet it
# received (on lo, "received by filter" is twice "captured"): stopped earlier, the last packets
# can still sit in the kernel's ring buffer and are lost. (--immediate-mode avoids that too, but
# made tcpdump drop packets here while another process kept a core busy.)
# Env:   DATA=dir  MIN_PACKETS=2000000  PYTHON=/usr/bin/python3
# Needs: root (unshare -n, capture), tcpdump, ethtool, ip, editcap, capinfos, tshark, python3.
# Traffic goes only to 127.0.0.1 and ::1 inside the private namespace.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="${DATA:-$PWD/target/bench-corpus}"
MIN_PACKETS="${MIN_PACKETS:-2000000}"
PYTHON="${PYTHON:-/usr/bin/python3}"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

mkdir -p "$DATA"
cd "$DATA"

need() { command -v "$1" >/dev/null || { echo "make-corpus: $1 not found" >&2; exit 2; }; }
for t in tcpdump editcap capinfos tshark ip ethtool unshare "$PYTHON"; do need "$t"; done

# ---------------------------------------------------------------- 1. small.pcap
if [[ $FORCE == 1 || ! -s small.pcap ]]; then
    echo "== capturing small.pcap (loopback workload in a private netns)"
    rm -f small.pcap.part small.tcpdump.log
    timeout 180 unshare -n bash -euo pipefail -c '
        ip link set lo up mtu 1500
        ethtool -K lo tso off gso off >/dev/null
        tcpdump -Z root -i lo -s 0 -B 32768 -U -w small.pcap.part 2>small.tcpdump.log &
        pid=$!
        for _ in $(seq 100); do grep -q listening small.tcpdump.log 2>/dev/null && break; sleep 0.1; done
        rc=0
        "$1" "$2" || rc=$?
        sleep 1.5
        kill -INT "$pid"; wait "$pid" || true
        exit $rc
    ' _ "$PYTHON" "$HERE/workload.py"
    cat small.tcpdump.log
    captured=$(sed -n 's/^\([0-9]*\) packets\? captured$/\1/p' small.tcpdump.log)
    received=$(sed -n 's/^\([0-9]*\) packets\? received by filter$/\1/p' small.tcpdump.log)
    if ! grep -q '^0 packets dropped by kernel' small.tcpdump.log \
        || [[ -z $captured || $((captured * 2)) != "$received" ]]; then
        echo "make-corpus: tcpdump dropped packets; re-run" >&2; exit 1
    fi
    mv small.pcap.part small.pcap
else
    echo "== small.pcap exists (use --force to re-capture)"
fi

# ---------------------------------------------------------------- 2. large.pcap
echo "== building large.pcap (>= $MIN_PACKETS packets)"
"$PYTHON" "$HERE/replicate.py" small.pcap large.pcap --min-packets "$MIN_PACKETS"

# ---------------------------------------------------------------- 3. large.pcapng
echo "== converting to large.pcapng"
editcap -F pcapng large.pcap large.pcapng

# ---------------------------------------------------------------- 4. manifest
echo "== manifest"
{
    echo "# sockviz bench corpus, built $(date -u +%FT%TZ) by make-corpus.sh"
    for f in small.pcap large.pcap large.pcapng; do
        echo
        capinfos -M "$f"
        sha256sum "$f"
    done
    echo
    echo "tcp conversations (tshark -q -z conv,tcp) in small.pcap:" \
        "$(tshark -r small.pcap -q -z conv,tcp | grep -c '<->')"
} > MANIFEST.txt
cat MANIFEST.txt
du -ch small.pcap large.pcap large.pcapng | tail -1
