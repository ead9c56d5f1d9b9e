//! Every reason the decoder gives for a broken frame of the checked-in captures, and every
//! link type it refuses, has Korean text with no English left but protocol names.
//!
//! The frames are the real ones in `tests/data` (every capture, variant and damaged file), cut
//! at every length and with each header byte overwritten: what a damaged capture can hold.
//! The language is not switched (unit tests share the process): the Korean table is read
//! directly, by the key the error carries.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::error::unsupported_reason_key;
use super::{DecodeError, decode};
use crate::capture::{CaptureFile, LinkType};
use crate::i18n::{Lang, english_words};

/// Lower-case names that stay as written in Korean: link types and pseudo-headers as tcpdump
/// names them (`radiotap`, `pflog`, `enc`, `ipnet`, `Linux cooked`), kernel interfaces
/// (`vsock`, `netlink`), pcap's field and library names.
pub(crate) const NAMES: &[&str] = &[
    "radiotap", "pflog", "enc", "ipnet", "cooked", "vsock", "netlink", "snaplen", "libpcap",
    "editcap", "pppd",
];

/// English words left in `text`, protocol names aside.
pub(crate) fn english_left(text: &str) -> Vec<&str> {
    english_words(text)
        .into_iter()
        .filter(|w| !NAMES.contains(w))
        .collect()
}

/// What is wrong with a key's Korean text: missing, the English copied, or English words
/// left in it; `None` when it is right.
fn untranslated(key: &str) -> Option<String> {
    let (Some(ko), Some(en)) = (Lang::Ko.table().get(key), Lang::En.table().get(key)) else {
        return Some(format!("{key}: not in both files"));
    };
    if ko == en {
        return Some(format!("{key}: the Korean is the English"));
    }
    let left = english_left(ko);
    (!left.is_empty()).then(|| format!("{key} = {ko}: English left: {left:?}"))
}

fn assert_translated<'a>(keys: impl IntoIterator<Item = &'a str>) {
    let wrong: Vec<String> = keys.into_iter().filter_map(untranslated).collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn captures(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("tests/data is checked in")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            captures(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "pcap" || e == "pcapng")
        {
            out.push(path);
        }
    }
}

/// Every frame of every checked-in capture, with its link type.
fn checked_in_frames() -> Vec<(LinkType, Vec<u8>)> {
    let mut files = Vec::new();
    captures(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data"),
        &mut files,
    );
    assert!(files.len() > 30, "the captures under tests/data: {files:?}");
    let mut frames = Vec::new();
    for path in files {
        let Ok(mut file) = CaptureFile::open(&path) else {
            continue; // the files that are no capture at all
        };
        while let Ok(Some((frame, _))) = file.next_frame() {
            frames.push((frame.link, frame.data.to_vec()));
        }
    }
    frames
}

/// The keys of the reasons `data` gives when cut at every length and with each of its first
/// 80 bytes overwritten by 0x00, 0xFF and 0x45.
fn reasons_from(link: LinkType, data: &[u8], keys: &mut BTreeSet<&'static str>) {
    let mut note = |r: Result<_, DecodeError>| match r {
        Err(DecodeError::Malformed { reason, .. }) => {
            keys.insert(reason.key());
        }
        Err(DecodeError::UnsupportedLink(l)) => {
            keys.insert(unsupported_reason_key(l));
        }
        Ok(_) => {}
    };
    for len in 0..data.len() {
        note(decode(link, &data[..len]).map(|_| ()));
    }
    let mut bytes = data.to_vec();
    for at in 0..bytes.len().min(80) {
        let kept = bytes[at];
        for v in [0x00, 0xFF, 0x45] {
            bytes[at] = v;
            note(decode(link, &bytes).map(|_| ()));
        }
        bytes[at] = kept;
    }
}

#[test]
fn every_reason_for_the_checked_in_frames_is_korean() {
    let mut keys = BTreeSet::new();
    for (link, data) in checked_in_frames() {
        reasons_from(link, &data, &mut keys);
    }
    // Ethernet, VLAN, IPv4, IPv6, TCP, loopback, Linux cooked, raw IP: many distinct reasons.
    assert!(
        keys.len() >= 10,
        "only {} reasons found: {keys:?}",
        keys.len()
    );
    // With the reasons' common frame: the layer named, the reason after it.
    assert_translated(
        keys.iter()
            .copied()
            .chain(["wire.malformed", "wire.unsupported_link"]),
    );
}

/// The same frames given to every link type sockviz knows a number for (0..=300): the rarer
/// link decoders' reasons, and each refused link type's reason.
#[test]
fn every_link_types_reasons_are_korean() {
    let frames = checked_in_frames();
    let mut keys = BTreeSet::new();
    for link in 0..=300 {
        for (_, data) in frames.iter().take(12) {
            reasons_from(LinkType(link), data, &mut keys);
        }
    }
    assert!(
        keys.len() >= 40,
        "only {} reasons found: {keys:?}",
        keys.len()
    );
    assert_translated(keys.iter().copied());
}

/// Every text of the `wire` section, reached by a frame or not (IPComp, ESP, fragments,
/// damaged pcap records): Korean, protocol names aside.
#[test]
fn every_wire_text_is_korean() {
    let en = Lang::En.table();
    let keys: Vec<&str> = en.keys().filter(|k| k.starts_with("wire.")).collect();
    assert!(keys.len() > 100, "{}", keys.len());
    assert_translated(keys);
}
