//! Which TCP ports listen in this network namespace, read from `/proc/net/tcp{,6}` (state
//! `0A`, LISTEN): how `sockviz run` knows a student's server is ready for its client, with or
//! without tracing.

use std::collections::BTreeSet;

/// The listening ports in one `/proc/net/tcp` table.
pub fn parse(table: &str) -> BTreeSet<u16> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut cols = line.split_whitespace();
            let local = cols.nth(1)?;
            let state = cols.nth(1)?;
            if state != "0A" {
                return None;
            }
            let port = local.rsplit(':').next()?;
            u16::from_str_radix(port, 16).ok()
        })
        .collect()
}

/// Every port something listens on here (IPv4 and IPv6).
pub fn listening() -> BTreeSet<u16> {
    let mut ports = BTreeSet::new();
    for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
        if let Ok(text) = std::fs::read_to_string(file) {
            ports.extend(parse(&text));
        }
    }
    ports
}

#[cfg(test)]
mod tests {
    #[test]
    fn listeners_are_read_from_proc_net_tcp() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:0007 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n   1: 0100007F:0007 0100007F:D2B4 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1\n";
        let ports = super::parse(table);
        assert_eq!(ports.into_iter().collect::<Vec<_>>(), vec![7]);
    }
}
