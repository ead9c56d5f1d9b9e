//! Issue 12: no packet leaves the lab's namespaces. As root, capture on the host's `any`
//! interface while the link scenarios run: none of the lab's addresses may appear, and the
//! host's interfaces and routes are the same before and after. (Skipped as an ordinary user,
//! who cannot capture on the host.)

mod lab_support;
mod link_support;

use std::time::{Duration, Instant};

use link_support::{As, is_root, run_as};

/// The host's interfaces and IPv4/IPv6 routes, as the kernel lists them.
fn host_network() -> String {
    let mut out = String::new();
    for file in ["/proc/net/dev", "/proc/net/route", "/proc/net/ipv6_route"] {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        // /proc/net/dev's counters move; its first column (the names) must not.
        for line in text.lines() {
            let kept = if file.ends_with("dev") {
                line.split(':').next().unwrap_or("").trim().to_string()
            } else {
                line.to_string()
            };
            out.push_str(&kept);
            out.push('\n');
        }
    }
    out
}

#[test]
fn link_scenarios_send_nothing_on_the_host() {
    if !is_root() {
        eprintln!("not root: cannot capture on the host's `any` interface; skipped");
        return;
    }
    let before = host_network();
    let mut cap = pcap::Capture::from_device("any")
        .and_then(|c| c.immediate_mode(true).timeout(50).snaplen(128).open())
        .expect("capture on any as root");
    // `net` matches IPv4 and ARP alike.
    cap.filter("net 192.0.2.0/24 or net 198.51.100.0/24", true)
        .expect("filter");
    let mut cap = cap.setnonblock().expect("nonblocking");
    for scenario in ["echo-link", "unreachable", "loss"] {
        let run = run_as(As::Me, &["--scenario", scenario]);
        assert!(!run.segments().is_empty() || scenario == "unreachable");
    }
    let mut leaked = 0;
    let until = Instant::now() + Duration::from_millis(300);
    while Instant::now() < until {
        match cap.next_packet() {
            Ok(_) => leaked += 1,
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    assert_eq!(leaked, 0, "frames with the lab's addresses on the host");
    assert_eq!(
        host_network(),
        before,
        "the host's interfaces and routes changed"
    );
}
