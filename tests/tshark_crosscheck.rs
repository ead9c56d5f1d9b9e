//! `sockviz inspect --json` against tshark on every checked-in capture and variant.
//!
//! For each file: the same number of TCP conversations as `tshark -q -z conv,tcp`, the same
//! frames and bytes per direction, and per connection the same counts of each
//! `tcp.analysis.*` flag tshark sets. tshark is the reference; it must be installed (CI and
//! `bash scripts/dev test` install it): this test fails rather than skips without it.

mod common;
mod encap_support;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Analysis, Conn, PerDirection, captures_in, data, dir, inspect};

/// Preferences that decide what tshark reports, set explicitly so a user's own Wireshark
/// profile cannot change the reference.
const TSHARK_PREFS: [&str; 4] = [
    "-o",
    "tcp.analyze_sequence_numbers:TRUE",
    "-o",
    "tcp.relative_sequence_numbers:TRUE",
];

/// The `tcp.analysis.*` fields, in the order of [`analysis_of`].
const ANALYSIS_FIELDS: [&str; 10] = [
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.zero_window",
    "tcp.analysis.zero_window_probe",
    "tcp.analysis.window_full",
    "tcp.analysis.window_update",
    "tcp.analysis.keep_alive",
];

fn analysis_of(counts: [u64; 10]) -> Analysis {
    Analysis {
        retransmission: counts[0],
        fast_retransmission: counts[1],
        spurious_retransmission: counts[2],
        out_of_order: counts[3],
        dup_ack: counts[4],
        zero_window: counts[5],
        zero_window_probe: counts[6],
        window_full: counts[7],
        window_update: counts[8],
        keep_alive: counts[9],
    }
}

/// Run tshark, panicking with the fix when it is not installed. Its stderr (the warning about
/// running as root, "cut short" notes on damaged files) is ignored; so is its exit status,
/// which is non-zero for a damaged file it still read up to the damage.
fn tshark(args: &[&str]) -> String {
    let out = Command::new("tshark")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run tshark ({e}): this test compares sockviz with tshark, which must be \
                 installed. `bash scripts/dev test` installs it (Debian/Ubuntu package `tshark`)."
            )
        });
    String::from_utf8(out.stdout).expect("tshark prints UTF-8")
}

/// One TCP stream as tshark's per-frame fields describe it.
#[derive(Debug, Default)]
struct Stream {
    /// The sender of the stream's first frame (tshark's side A).
    a: Option<SocketAddr>,
    b: Option<SocketAddr>,
    frames: [u64; 2], // [A -> B, B -> A]
    bytes: [u64; 2],
    analysis: [u64; 10],
}

/// Per `tcp.stream`: endpoints, frames and bytes per direction, analysis flag counts.
fn tshark_streams(path: &Path) -> BTreeMap<u64, Stream> {
    let file = path.to_str().expect("UTF-8 path");
    let mut args = vec!["-r", file, "-T", "fields", "-E", "separator=\t"];
    // occurrence=a: every value, comma-separated, outermost first: a tunnel's inner IP is the
    // connection's (the last ip/ipv6 in frame.protocols says which IP that is). Some flags
    // (duplicate_ack) appear twice in one frame's tree: any value counts once.
    args.extend(["-E", "occurrence=a"]);
    args.extend(TSHARK_PREFS);
    for field in [
        "tcp.stream",
        "ip.src",
        "ipv6.src",
        "tcp.srcport",
        "ip.dst",
        "ipv6.dst",
        "tcp.dstport",
        "frame.len",
        "frame.protocols",
    ]
    .iter()
    .chain(&ANALYSIS_FIELDS)
    {
        args.extend(["-e", field]);
    }
    let mut streams: BTreeMap<u64, Stream> = BTreeMap::new();
    for line in tshark(&args).lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            9 + ANALYSIS_FIELDS.len(),
            "tshark line {line:?}"
        );
        let Ok(id) = cols[0].rsplit(',').next().unwrap_or("").parse::<u64>() else {
            continue; // not TCP
        };
        let v6 = cols[8].split(':').rfind(|p| *p == "ip" || *p == "ipv6") == Some("ipv6");
        let endpoint = |v4: &str, v6addr: &str, port: &str| -> SocketAddr {
            let ip: IpAddr = if v6 { v6addr } else { v4 }
                .rsplit(',')
                .next()
                .unwrap_or("")
                .parse()
                .unwrap_or_else(|e| panic!("tshark address in {line:?}: {e}"));
            let port = port.rsplit(',').next().unwrap_or("");
            SocketAddr::new(ip, port.parse().expect("tshark port"))
        };
        let src = endpoint(cols[1], cols[2], cols[3]);
        let dst = endpoint(cols[4], cols[5], cols[6]);
        let s = streams.entry(id).or_default();
        if s.a.is_none() {
            (s.a, s.b) = (Some(src), Some(dst));
        }
        let d = usize::from(Some(src) != s.a);
        s.frames[d] += 1;
        s.bytes[d] += cols[7].parse::<u64>().expect("frame.len");
        for (count, value) in s.analysis.iter_mut().zip(&cols[9..]) {
            *count += u64::from(!value.is_empty());
        }
    }
    streams
}

/// One row of `tshark -q -z conv,tcp`.
#[derive(Debug)]
struct ConvRow {
    a: String,
    b: String,
    /// B -> A (the "<-" columns come first in tshark 4.0's table), then A -> B.
    frames_ba: u64,
    bytes_ba: (u64, String),
    frames_ab: u64,
    bytes_ab: (u64, String),
    rel_start: f64,
}

fn tshark_conv(path: &Path) -> Vec<ConvRow> {
    let file = path.to_str().expect("UTF-8 path");
    let mut args = vec!["-r", file, "-q", "-z", "conv,tcp"];
    args.extend(TSHARK_PREFS);
    tshark(&args)
        .lines()
        .filter(|l| l.contains("<->"))
        .map(|l| {
            // A <-> B  frames bytes unit  frames bytes unit  frames bytes unit  start duration
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 14, "conv,tcp row {l:?}");
            let num = |s: &str| {
                s.parse::<u64>()
                    .unwrap_or_else(|e| panic!("{s} in {l:?}: {e}"))
            };
            ConvRow {
                a: f[0].to_string(),
                b: f[2].to_string(),
                frames_ba: num(f[3]),
                bytes_ba: (num(f[4]), f[5].to_string()),
                frames_ab: num(f[6]),
                bytes_ab: (num(f[7]), f[8].to_string()),
                rel_start: f[12].parse().expect("relative start"),
            }
        })
        .collect()
}

/// tshark prints endpoints without brackets (`::1:7`); ours are `[::1]:7`.
fn tshark_endpoint(addr: &str) -> String {
    let (ip, port) = addr.rsplit_once(':').expect("addr:port");
    match ip.parse::<IpAddr>() {
        Ok(ip) => SocketAddr::new(ip, port.parse().expect("port")).to_string(),
        Err(_) => addr.to_string(), // a resolved name: will not match, and the test says so
    }
}

/// tshark 4.0 shortens byte counts from 10,000 on: "104 kB" is 104,000 to 104,999 bytes.
fn bytes_match(ours: u64, (shown, unit): &(u64, String)) -> bool {
    match unit.as_str() {
        "bytes" => ours == *shown,
        "kB" => ours / 1_000 == *shown,
        "MB" => ours / 1_000_000 == *shown,
        "GB" => ours / 1_000_000_000 == *shown,
        _ => false,
    }
}

/// Ours seen from tshark's side A: (frames A->B, frames B->A, bytes A->B, bytes B->A).
fn oriented(c: &Conn, a: &str) -> (PerDirection, PerDirection) {
    if c.client == a {
        (c.packets, c.bytes)
    } else {
        (
            dir(c.packets.to_client, c.packets.to_server),
            dir(c.bytes.to_client, c.bytes.to_server),
        )
    }
}

fn crosscheck(path: &Path) -> Result<(), String> {
    let name = path
        .strip_prefix(data(""))
        .unwrap_or(path)
        .display()
        .to_string();
    let ours = inspect(path);
    let mut errors = Vec::new();

    // 1. The conversation table: same count; per row (matched by endpoints, port reuse by
    //    start time) the same frames and bytes each way.
    let mut rows = tshark_conv(path);
    rows.sort_by(|x, y| x.rel_start.total_cmp(&y.rel_start));
    if rows.len() != ours.connections.len() {
        errors.push(format!(
            "tshark lists {} conversations, sockviz {}",
            rows.len(),
            ours.connections.len()
        ));
    }
    let mut by_start: Vec<&Conn> = ours.connections.iter().collect();
    by_start.sort_by(|x, y| x.start.total_cmp(&y.start));
    let mut used = vec![false; by_start.len()];
    for row in &rows {
        let (a, b) = (tshark_endpoint(&row.a), tshark_endpoint(&row.b));
        let found = by_start.iter().enumerate().find(|(i, c)| {
            !used[*i] && ((c.client == a && c.server == b) || (c.client == b && c.server == a))
        });
        let Some((i, c)) = found else {
            errors.push(format!("tshark's conversation {a} <-> {b} is missing"));
            continue;
        };
        used[i] = true;
        let (frames, bytes) = oriented(c, &a);
        if (frames.to_server, frames.to_client) != (row.frames_ab, row.frames_ba) {
            errors.push(format!(
                "{a} <-> {b}: frames A->B/B->A tshark {}/{}, sockviz {}/{}",
                row.frames_ab, row.frames_ba, frames.to_server, frames.to_client
            ));
        }
        if !bytes_match(bytes.to_server, &row.bytes_ab)
            || !bytes_match(bytes.to_client, &row.bytes_ba)
        {
            errors.push(format!(
                "{a} <-> {b}: bytes A->B/B->A tshark {:?}/{:?}, sockviz {}/{}",
                row.bytes_ab, row.bytes_ba, bytes.to_server, bytes.to_client
            ));
        }
    }

    // 2. Per tcp.stream (numbered in order of first frame, as our ids are): exact bytes and the
    //    analysis flag counts.
    let streams = tshark_streams(path);
    let mut by_id: Vec<&Conn> = ours.connections.iter().collect();
    by_id.sort_by_key(|c| c.id);
    for ((id, s), c) in streams.iter().zip(&by_id) {
        let (a, b) = (
            s.a.expect("stream has a frame").to_string(),
            s.b.expect("stream has a frame").to_string(),
        );
        let ends_match = (c.client == a && c.server == b) || (c.client == b && c.server == a);
        if !ends_match {
            errors.push(format!(
                "tcp.stream {id} is {a} <-> {b}, sockviz's connection {} is {} -> {}",
                c.id, c.client, c.server
            ));
            continue;
        }
        let (frames, bytes) = oriented(c, &a);
        if [
            frames.to_server,
            frames.to_client,
            bytes.to_server,
            bytes.to_client,
        ] != [s.frames[0], s.frames[1], s.bytes[0], s.bytes[1]]
        {
            errors.push(format!(
                "tcp.stream {id}: frames/bytes A->B, B->A tshark {:?} {:?}, sockviz {frames:?} {bytes:?}",
                s.frames, s.bytes
            ));
        }
        let theirs = analysis_of(s.analysis);
        if c.analysis != theirs {
            errors.push(format!(
                "tcp.stream {id} ({a} <-> {b}): analysis\n   tshark  {theirs:?}\n   sockviz {:?}",
                c.analysis
            ));
        }
    }
    if streams.len() != by_id.len() {
        errors.push(format!(
            "tshark has {} tcp.streams, sockviz {} connections",
            streams.len(),
            by_id.len()
        ));
    }

    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}:\n  {}", errors.join("\n  ")))
    }
}

/// Damaged files that tshark, too, reads up to the damage.
const DAMAGED_READABLE: [&str; 4] = [
    "damaged/cut-tail.pcap",
    "damaged/cut-tail.pcapng",
    "damaged/record-past-eof.pcap",
    "damaged/record-huge.pcap",
];

fn check_all(files: &[PathBuf]) {
    assert!(!files.is_empty(), "no captures found under tests/data");
    // Two at a time: tshark's start-up dominates and the machines have two cores or more.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(files.len().div_ceil(2))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|f| crosscheck(f).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("crosscheck thread"))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} files differ from tshark:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn captures_match_tshark() {
    check_all(&captures_in(""));
}

#[test]
fn variants_match_tshark() {
    check_all(&captures_in("variants"));
}

#[test]
fn damaged_tails_match_tshark_up_to_the_damage() {
    let files: Vec<PathBuf> = DAMAGED_READABLE.iter().map(|f| data(f)).collect();
    check_all(&files);
}

/// The cross-check must be able to fail: tshark's own figures for echo.pcap, as the README
/// lists them, read through the same parsing.
#[test]
fn tshark_reference_figures_for_echo() {
    let path = data("echo.pcap");
    let rows = tshark_conv(&path);
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (r.a.as_str(), r.b.as_str()),
        ("127.0.0.1:40000", "127.0.0.1:7")
    );
    assert_eq!((r.frames_ab, r.frames_ba), (6, 4));
    assert_eq!((r.bytes_ab.0, r.bytes_ba.0), (424, 292));
    let streams = tshark_streams(&data("retrans.pcap"));
    assert_eq!(streams.len(), 2);
    let bulk = analysis_of(streams[&0].analysis);
    assert_eq!(
        (bulk.retransmission, bulk.fast_retransmission, bulk.dup_ack),
        (1, 1, 13)
    );
}

/// Where the cross-check writes the captures it builds.
fn built_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("creating the test's capture directory");
    dir
}

/// The `encapsulation` of each connection in `inspect --json`.
fn encapsulations(path: &Path) -> Vec<Vec<String>> {
    let out = common::run_inspect(path);
    assert!(
        out.status.success(),
        "inspect {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("inspect JSON");
    v["connections"]
        .as_array()
        .expect("connections")
        .iter()
        .map(|c| {
            c["encapsulation"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

/// Real loopback segments (echo over IPv4 and IPv6, a retransmission and fast-retransmission
/// upload) re-wrapped in every tunnel and link type sockviz decodes: tshark must agree on
/// every connection, and `inspect` must name the tunnel.
#[test]
fn encapsulations_and_link_types_match_tshark() {
    let dir = built_dir("encap");
    let mut files = encap_support::build_wrapped(&data("echo.pcap"), &dir, &[]);
    let v6 = [
        "gre",
        "ipip",
        "ip6ip",
        "pppoe",
        "ah",
        "ppp",
        "frelay",
        "nflog",
        "v6-under-v4-ethertype",
    ];
    files.extend(encap_support::build_wrapped(&data("ipv6.pcap"), &dir, &v6));
    files.extend(encap_support::build_wrapped(
        &data("retrans.pcap"),
        &dir,
        &["vxlan", "mpls"],
    ));
    // tshark 4.0 has no dissector for BSD SLIP (it shows "UNKNOWN WTAP_ENCAP = 3", tcpdump
    // decodes it): checked against the unwrapped capture's figures instead.
    let (slip, files): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .partition(|f| f.to_string_lossy().contains(".slip."));
    check_all(&files);
    for f in slip {
        let ours = inspect(&f);
        let plain = inspect(&data("echo.pcap"));
        let figures = |r: &common::Report| {
            r.connections
                .iter()
                .map(|c| (c.client.clone(), c.packets, c.payload_bytes, c.analysis))
                .collect::<Vec<_>>()
        };
        assert_eq!(figures(&ours), figures(&plain), "{}", f.display());
    }
    let expect = [
        ("echo.vxlan.pcap", vec!["VXLAN"]),
        ("echo.geneve.pcap", vec!["Geneve"]),
        ("echo.gre-erspan2.pcap", vec!["GRE", "ERSPAN"]),
        ("echo.gre-wccp.pcap", vec!["GRE", "WCCP"]),
        ("ipv6.ipip.pcap", vec!["IPv6-in-IP"]),
        ("echo.ip6ip.pcap", vec!["IPv4-in-IP"]),
        ("echo.gtpu.pcap", vec!["GTP-U"]),
        ("ipv6.pppoe.pcap", vec!["PPPoE"]),
        ("echo.mpls.pcap", vec!["MPLS"]),
        ("echo.etag.pcap", vec!["E-Tag"]),
        ("ipv6.ah.pcap", vec!["IPsec AH"]),
        ("echo.capwap.pcap", vec!["CAPWAP"]),
        ("echo.ppp.pcap", vec![]),
    ];
    for (file, names) in expect {
        assert_eq!(encapsulations(&dir.join(file)), vec![names], "{file}");
    }
}

/// The upload of segments.pcap with every large packet split into IPv4 fragments (in order;
/// and with the last fragment sent first), and retrans.pcap likewise: tshark reassembles and
/// counts each segment at the frame that completes it; so must sockviz.
#[test]
fn ip_fragments_match_tshark() {
    let dir = built_dir("fragments");
    let files = vec![
        encap_support::build_fragmented(&data("segments.pcap"), &dir, 600, false),
        encap_support::build_fragmented(&data("retrans.pcap"), &dir, 1000, true),
    ];
    check_all(&files);
    let report = inspect(&files[0]);
    assert_eq!(report.connections.len(), 1);
}

/// An IP length 20 bytes longer than a frame the capture kept whole: the frame's bytes, and
/// no phantom retransmission afterwards (tshark's reading).
#[test]
fn ip_length_beyond_an_uncut_frame_matches_tshark() {
    let dir = built_dir("lying");
    let files = vec![
        encap_support::build_lying_length(&data("echo.pcap"), &dir),
        encap_support::build_lying_length(&data("segments.pcap"), &dir),
    ];
    check_all(&files);
    let report = inspect(&files[0]);
    assert_eq!(report.truncated_packets, 0);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("IP length larger than their frame")),
        "{:?}",
        report.warnings
    );
}

/// Frames in which tshark's dissectors, in `frame.protocols`, have `outer` before `tcp`.
fn tshark_tcp_inside(path: &Path, outer: &str) -> usize {
    let p = path.to_str().expect("UTF-8 path");
    let outer = format!(":{outer}:");
    tshark(&["-r", p, "-T", "fields", "-e", "frame.protocols"])
        .lines()
        .filter(|l| l.find(&outer).is_some_and(|at| l[at..].contains(":tcp")))
        .count()
}

/// Real segments (echo over IPv4 and IPv6, retrans.pcap) in Cisco FabricPath frames as a
/// FabricPath core port carries them (hierarchical MACs, FTag/TTL, the frame's FCS), with and
/// without an 802.1ad tag before the FabricPath EtherType: tshark's `cfp` dissector decodes
/// every one and must agree; `inspect` names FabricPath.
#[test]
fn fabricpath_matches_tshark() {
    let dir = built_dir("fabricpath");
    let both = ["fabricpath", "fabricpath-1ad"];
    let mut files = Vec::new();
    for src in ["echo.pcap", "ipv6.pcap", "retrans.pcap"] {
        files.extend(encap_support::build_wrapped(&data(src), &dir, &both));
    }
    check_all(&files);
    for f in &files {
        let report = inspect(f);
        let segments: u64 = report
            .connections
            .iter()
            .map(|c| c.packets.to_server + c.packets.to_client)
            .sum();
        assert!(segments > 0, "{}", f.display());
        assert_eq!(
            tshark_tcp_inside(f, "cfp") as u64,
            segments,
            "{}: tshark found every segment inside FabricPath",
            f.display()
        );
        assert_eq!(
            encapsulations(f),
            vec![vec!["FabricPath".to_string()]; report.connections.len()],
            "{}",
            f.display()
        );
    }
}

/// Real segments (echo over IPv4 and IPv6, the upload of segments.pcap, retrans.pcap) with
/// their TCP compressed by a real DEFLATE encoder into IPComp, in transport mode (CPI 2) and
/// in tunnel mode (a negotiated CPI, as the corpus's AH-IPcomp captures have), and the tunnel
/// upload's outer datagrams fragmented at 200 bytes (a 1,448-byte segment deflates to about
/// 300): tshark inflates every one and must agree; `inspect` names IPComp.
#[test]
fn ipcomp_deflate_matches_tshark() {
    let dir = built_dir("ipcomp");
    let both = ["ipcomp", "ipcomp-tunnel"];
    let mut files = Vec::new();
    for src in ["echo.pcap", "ipv6.pcap", "segments.pcap", "retrans.pcap"] {
        files.extend(encap_support::build_wrapped(&data(src), &dir, &both));
    }
    let tunnel_upload = dir.join("segments.ipcomp-tunnel.pcap");
    let fragmented = encap_support::build_fragmented(&tunnel_upload, &dir, 200, false);
    assert!(inspect(&fragmented).packets_total > inspect(&tunnel_upload).packets_total + 20);
    files.push(fragmented);
    check_all(&files);
    for f in &files {
        let report = inspect(f);
        let segments: u64 = report
            .connections
            .iter()
            .map(|c| c.packets.to_server + c.packets.to_client)
            .sum();
        assert!(segments > 0, "{}", f.display());
        assert_eq!(
            tshark_tcp_inside(f, "ipcomp") as u64,
            segments,
            "{}: every segment was inside IPComp, for tshark too (it inflated them)",
            f.display()
        );
        assert!(
            report.warnings.is_empty(),
            "{}: {:?}",
            f.display(),
            report.warnings
        );
    }
    let expect = [
        ("echo.ipcomp.pcap", vec!["IPComp"]),
        ("ipv6.ipcomp.pcap", vec!["IPComp"]),
        ("echo.ipcomp-tunnel.pcap", vec!["IPComp", "IPv4-in-IP"]),
        ("ipv6.ipcomp-tunnel.pcap", vec!["IPComp", "IPv6-in-IP"]),
        (
            "segments.ipcomp-tunnel.frag200.pcap",
            vec!["IPComp", "IPv4-in-IP"],
        ),
    ];
    for (file, names) in expect {
        let want: Vec<Vec<String>> = vec![names.iter().map(|n| n.to_string()).collect()];
        assert_eq!(encapsulations(&dir.join(file)), want, "{file}");
    }
    let upload = inspect(&dir.join("segments.ipcomp.pcap"));
    assert_eq!(upload.connections.len(), 1);
    assert_eq!(
        upload.connections[0].payload_bytes,
        inspect(&data("segments.pcap")).connections[0].payload_bytes
    );
}

/// Real traffic through a real tunnel: two network namespaces joined by a veth pair, a
/// Linux VXLAN device in each (MTU 1500 over a 1500-byte underlay, so the kernel fragments
/// the outer UDP), a 20,000-byte upload through it, captured on the underlay by tcpdump.
/// Needs root (CI and the lab machines run tests as root) and iproute2's vxlan.
#[test]
fn vxlan_between_namespaces_with_outer_fragments_matches_tshark() {
    let dir = built_dir("vxlan-netns");
    let pcap = dir.join("vxlan-netns.pcap");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vxlan-netns.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(&pcap)
        .output()
        .expect("running tests/fixtures/vxlan-netns.sh");
    assert!(
        out.status.success(),
        "vxlan-netns.sh failed (root and iproute2 needed):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_all(std::slice::from_ref(&pcap));
    let report = inspect(&pcap);
    assert_eq!(report.connections.len(), 1);
    assert_eq!(encapsulations(&pcap), vec![vec!["VXLAN".to_string()]]);
    let c = &report.connections[0];
    assert_eq!(c.payload_bytes.to_server, 20_000);
}
