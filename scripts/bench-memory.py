#!/usr/bin/env python3
"""Memory and time on big files (issue 16, items 6 and 7): builds two captures and prints
`sockviz inspect`'s and the connection picker's (`sockviz replay` in tmux) wall time and peak RSS.

  disguised.pcapng  ~1 GB: a genuine sockviz recording (`lab --scenario echo --record`) whose
                    first blocks say "recording", followed by ~1 GB of TCP frames (1,000
                    connections of 1,400-byte segments). A recording is read whole; this must
                    not be (goal: under 200 MB).
  conns-1m.pcap     1,000,000 TCP connections of 5 small packets each (goal: under 400 MB and
                    under 3 s to the picker).

Usage: python3 scripts/bench-memory.py [--bin target/release/sockviz] [--dir target/bench-memory]
       [--only disguised|conns]
The files are made once and kept in --dir (about 1.4 GB). Needs tmux and /usr/bin/time.
"""

import argparse
import os
import struct
import subprocess
import sys
import time

ETH_IP = b"\x00\x00\x00\x00\x00\x02" + b"\x00\x00\x00\x00\x00\x01" + b"\x08\x00"


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    """Ethernet + IPv4 + TCP (20-byte header, checksums 0: sockviz does not drop on them)."""
    total = 20 + 20 + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0, src, dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    return ETH_IP + ip + tcp + payload


def ip4(n):
    return struct.pack("!I", n)


def make_conns(path, count):
    """`count` connections: SYN, SYN/ACK, ACK, FIN/ACK, RST (5 packets each), pcap, µs."""
    syn, synack, ackf, finack, rst = 0x02, 0x12, 0x10, 0x11, 0x04
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 1_700_000_000 * 1_000_000
        server = ip4(0x0A000001)
        buf = []
        for i in range(count):
            client = ip4(0x0B000000 + (i // 50000))
            sport = 10000 + i % 50000
            for fr in (
                tcp_frame(client, server, sport, 80, 1000, 0, syn),
                tcp_frame(server, client, 80, sport, 5000, 1001, synack),
                tcp_frame(client, server, sport, 80, 1001, 5001, ackf),
                tcp_frame(client, server, sport, 80, 1001, 5001, finack),
                tcp_frame(server, client, 80, sport, 5001, 0, rst),
            ):
                t += 7
                buf.append(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(fr), len(fr)))
                buf.append(fr)
            if len(buf) > 20000:
                f.write(b"".join(buf))
                buf.clear()
        f.write(b"".join(buf))
    os.replace(path + ".tmp", path)


def epb(iface, ts_ns, frame):
    pad = (-len(frame)) % 4
    total = 32 + len(frame) + pad
    return (
        struct.pack("<IIIIIII", 6, total, iface, ts_ns >> 32, ts_ns & 0xFFFFFFFF, len(frame), len(frame))
        + frame
        + b"\x00" * pad
        + struct.pack("<I", total)
    )


def make_disguised(path, binary, size):
    """A genuine recording, then TCP frames on its capture interface (0, Ethernet, ns)."""
    rec = path + ".rec"
    if os.path.exists(rec):
        os.remove(rec)
    subprocess.run(
        [binary, "lab", "--scenario", "echo", "--headless", "--record", rec],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    head = open(rec, "rb").read()
    os.remove(rec)
    payload = bytes(range(256)) * 5 + bytes(120)  # 1,400 bytes
    with open(path + ".tmp", "wb") as f:
        f.write(head)
        written = len(head)
        ts = 1_700_000_000 * 1_000_000_000
        server = ip4(0x0A000001)
        conn = 0
        while written < size:
            client = ip4(0x0B000000 + conn)
            sport = 20000 + conn
            blocks = [
                epb(0, ts, tcp_frame(client, server, sport, 80, 1000, 0, 0x02)),
                epb(0, ts + 10, tcp_frame(server, client, 80, sport, 5000, 1001, 0x12)),
                epb(0, ts + 20, tcp_frame(client, server, sport, 80, 1001, 5001, 0x10)),
            ]
            seq = 1001
            for k in range(700):
                ts += 1000
                blocks.append(epb(0, ts, tcp_frame(client, server, sport, 80, seq, 5001, 0x18, payload)))
                seq += len(payload)
                if k % 2:
                    blocks.append(epb(0, ts + 5, tcp_frame(server, client, 80, sport, 5001, seq, 0x10)))
            chunk = b"".join(blocks)
            f.write(chunk)
            written += len(chunk)
            conn += 1
    os.replace(path + ".tmp", path)


def measure_inspect(binary, path):
    """Wall time, CPU time (user + system) and peak RSS of `inspect FILE`."""
    out = subprocess.run(
        ["/usr/bin/time", "-f", "%e %U %S %M", binary, "inspect", path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    secs, user, system, kb = out.stderr.strip().splitlines()[-1].split()
    return float(secs), float(user) + float(system), int(kb) / 1024


def measure_picker(binary, path, timeout=600):
    """Time until the picker's title is on screen, then q; CPU time (user + system) and peak RSS
    of the whole run. On a shared machine the wall time is mostly waiting for a core: the CPU
    time says what the program did."""
    session = f"sockviz-bench-{os.getpid()}"
    rss_file = f"/tmp/{session}.rss"
    if os.path.exists(rss_file):
        os.remove(rss_file)
    cmd = f"/usr/bin/time -f '%U %S %M' -o {rss_file} {binary} replay {path}; sleep 30"
    start = time.monotonic()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", cmd], check=True)
    shown = None
    try:
        while time.monotonic() - start < timeout:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if "choose one" in screen:
                shown = time.monotonic() - start
                break
            # time(1) creates its output file at once, and writes it when the program ends.
            if os.path.exists(rss_file) and os.path.getsize(rss_file) > 0:
                break
            time.sleep(0.05)
        subprocess.run(["tmux", "send-keys", "-t", session, "q"])
        while not os.path.exists(rss_file) or os.path.getsize(rss_file) == 0:
            if time.monotonic() - start > timeout:
                break
            time.sleep(0.05)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], stderr=subprocess.DEVNULL)
    fields = open(rss_file).read().split() if os.path.exists(rss_file) else ["0", "0", "0"]
    user, system, kb = fields[-3:]
    return shown, float(user) + float(system), int(kb) / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--bin", default=os.path.join(root, "target/release/sockviz"))
    ap.add_argument("--dir", default=os.path.join(root, "target/bench-memory"))
    ap.add_argument("--only", choices=["disguised", "conns"])
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    binary = os.path.abspath(args.bin)
    files = []
    if args.only in (None, "disguised"):
        p = os.path.join(args.dir, "disguised.pcapng")
        if not os.path.exists(p):
            print(f"making {p} ...", file=sys.stderr)
            make_disguised(p, binary, 1 << 30)
        files.append(("disguised 1 GB recording", p, 200))
    if args.only in (None, "conns"):
        p = os.path.join(args.dir, "conns-1m.pcap")
        if not os.path.exists(p):
            print(f"making {p} ...", file=sys.stderr)
            make_conns(p, 1_000_000)
        files.append(("1 M connections", p, 400))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'file':<28} {'size':>8}  {'inspect (CPU)':>24}  {'picker (CPU)':>24}  goal")
    for name, p, goal in files:
        size = os.path.getsize(p) / (1 << 20)
        i_secs, i_cpu, i_mb = measure_inspect(binary, p)
        p_secs, p_cpu, p_mb = measure_picker(binary, p)
        shown = f"{p_secs:5.1f} s" if p_secs is not None else "never"
        print(
            f"{name:<28} {size:6.0f} MB  {i_secs:5.1f} s ({i_cpu:4.1f} s) {i_mb:6.0f} MB"
            f"  {shown} ({p_cpu:4.1f} s) {p_mb:6.0f} MB  < {goal} MB"
        )


if __name__ == "__main__":
    main()
