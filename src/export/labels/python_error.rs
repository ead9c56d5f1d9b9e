//! Errors as the lecture's Python raises them: a failed socket call's errno as the `OSError`
//! subclass and message Python 3 prints (`BrokenPipeError: [Errno 32] Broken pipe`), and bytes
//! that do not decode as `bytes.decode('utf-8')` says so (`UnicodeDecodeError: 'utf-8' codec
//! can't decode byte 0xeb in position 3: unexpected end of data`).
//!
//! The errno table is Linux's (the lab runs there and its recordings carry Linux numbers), with
//! glibc's `strerror` text, which is what Python puts after `[Errno N]`; the classes are PEP
//! 3151's mapping (`Objects/exceptions.c`).

use crate::timeline::Errno;

/// `(errno, Python's OSError subclass, strerror)` for the errors a socket call can meet.
const ERRORS: &[(i32, &str, &str)] = &[
    (libc::EPERM, "PermissionError", "Operation not permitted"),
    (libc::EINTR, "InterruptedError", "Interrupted system call"),
    (libc::EBADF, "OSError", "Bad file descriptor"),
    (
        libc::EAGAIN,
        "BlockingIOError",
        "Resource temporarily unavailable",
    ),
    (libc::EACCES, "PermissionError", "Permission denied"),
    (libc::EINVAL, "OSError", "Invalid argument"),
    (libc::EPIPE, "BrokenPipeError", "Broken pipe"),
    (libc::EADDRINUSE, "OSError", "Address already in use"),
    (
        libc::EADDRNOTAVAIL,
        "OSError",
        "Cannot assign requested address",
    ),
    (libc::ENETUNREACH, "OSError", "Network is unreachable"),
    (
        libc::ECONNABORTED,
        "ConnectionAbortedError",
        "Software caused connection abort",
    ),
    (
        libc::ECONNRESET,
        "ConnectionResetError",
        "Connection reset by peer",
    ),
    (
        libc::ENOTCONN,
        "OSError",
        "Transport endpoint is not connected",
    ),
    (
        libc::ESHUTDOWN,
        "BrokenPipeError",
        "Cannot send after transport endpoint shutdown",
    ),
    (libc::ETIMEDOUT, "TimeoutError", "Connection timed out"),
    (
        libc::ECONNREFUSED,
        "ConnectionRefusedError",
        "Connection refused",
    ),
    (libc::EHOSTUNREACH, "OSError", "No route to host"),
    (
        libc::EALREADY,
        "BlockingIOError",
        "Operation already in progress",
    ),
    (
        libc::EINPROGRESS,
        "BlockingIOError",
        "Operation now in progress",
    ),
];

/// The exception class Python raises for `code`: `ConnectionRefusedError`, `OSError`, ...
pub fn exception_class(code: i32) -> &'static str {
    ERRORS
        .iter()
        .find(|e| e.0 == code)
        .map_or("OSError", |e| e.1)
}

/// The message after `[Errno N]`: the C library's `strerror(code)`.
pub fn strerror(code: i32) -> String {
    match ERRORS.iter().find(|e| e.0 == code) {
        Some(e) => e.2.to_string(),
        None => {
            // This machine's strerror, without the ` (os error N)` Rust adds.
            let text = std::io::Error::from_raw_os_error(code).to_string();
            match text.rfind(" (os error") {
                Some(k) => text[..k].to_string(),
                None => text,
            }
        }
    }
}

/// `BrokenPipeError: [Errno 32] Broken pipe`: the last line of Python's traceback.
pub fn python_error(e: Errno) -> String {
    format!(
        "{}: [Errno {}] {}",
        exception_class(e.code),
        e.code,
        strerror(e.code)
    )
}

/// Where `data` stops being UTF-8, as `bytes.decode('utf-8')` reports it:
/// `UnicodeDecodeError: 'utf-8' codec can't decode byte 0xeb in position 3: unexpected end of
/// data`; `None` when it decodes.
pub fn utf8_decode_error(data: &[u8]) -> Option<String> {
    let e = std::str::from_utf8(data).err()?;
    let at = e.valid_up_to();
    let first = *data.get(at)?;
    // Python's reasons: a byte that can never start a character, a sequence broken by a byte
    // that cannot continue it, or a sequence cut by the end of the bytes.
    let (len, reason) = match e.error_len() {
        None => (data.len() - at, "unexpected end of data"),
        Some(_) if matches!(first, 0x80..=0xc1 | 0xf5..=0xff) => (1, "invalid start byte"),
        Some(n) => (n, "invalid continuation byte"),
    };
    let what = if len == 1 {
        format!("byte 0x{first:02x} in position {at}")
    } else {
        format!("bytes in position {at}-{}", at + len - 1)
    };
    Some(format!(
        "UnicodeDecodeError: 'utf-8' codec can't decode {what}: {reason}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errnos_read_as_python_raises_them() {
        let e = |code, name| Errno { code, name };
        assert_eq!(
            python_error(e(32, "EPIPE")),
            "BrokenPipeError: [Errno 32] Broken pipe"
        );
        assert_eq!(
            python_error(e(111, "ECONNREFUSED")),
            "ConnectionRefusedError: [Errno 111] Connection refused"
        );
        assert_eq!(
            python_error(e(9, "EBADF")),
            "OSError: [Errno 9] Bad file descriptor"
        );
    }

    #[test]
    fn a_split_character_reads_as_pythons_decode_error() {
        assert_eq!(
            utf8_decode_error(&[0xec, 0x95, 0x88, 0xeb]).as_deref(),
            Some(
                "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xeb in position 3: \
                 unexpected end of data"
            )
        );
        assert_eq!(
            utf8_decode_error(&[0x85, 0x95]).as_deref(),
            Some(
                "UnicodeDecodeError: 'utf-8' codec can't decode byte 0x85 in position 0: \
                 invalid start byte"
            )
        );
        assert_eq!(
            utf8_decode_error(&[0xe4, 0xb8, 0x41]).as_deref(),
            Some(
                "UnicodeDecodeError: 'utf-8' codec can't decode bytes in position 0-1: \
                 invalid continuation byte"
            )
        );
        assert_eq!(utf8_decode_error("안녕".as_bytes()), None);
    }
}
