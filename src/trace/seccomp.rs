//! The seccomp filter that stops the traced program only at the network system calls
//! (`SECCOMP_RET_TRACE`), so everything else runs at full speed (seccomp(2), "SECCOMP_RET_TRACE":
//! the tracer is notified with `PTRACE_EVENT_SECCOMP`).
//!
//! The program is a classic BPF list built once in the parent, before `fork`; the child only
//! hands it to the kernel (no allocation after `fork` in a threaded process).

/// The system calls the tracer wants to see. `read`/`write` are filtered to sockets by the
/// tracer (a BPF filter cannot know which descriptors are sockets); `ioctl` carries Python's
/// `setblocking` (`FIONBIO`).
pub fn watched() -> Vec<i64> {
    let mut nrs = vec![
        libc::SYS_socket,
        libc::SYS_bind,
        libc::SYS_listen,
        libc::SYS_accept,
        libc::SYS_accept4,
        libc::SYS_connect,
        libc::SYS_sendto,
        libc::SYS_sendmsg,
        libc::SYS_recvfrom,
        libc::SYS_recvmsg,
        libc::SYS_shutdown,
        libc::SYS_close,
        libc::SYS_setsockopt,
        libc::SYS_getsockopt,
        libc::SYS_fcntl,
        libc::SYS_ioctl,
        libc::SYS_ppoll,
        libc::SYS_pselect6,
        libc::SYS_read,
        libc::SYS_write,
    ];
    #[cfg(target_arch = "x86_64")]
    nrs.extend([libc::SYS_poll, libc::SYS_select]);
    nrs
}

/// `AUDIT_ARCH_*` of this build (linux/audit.h): a program of another architecture (an x32 or
/// i386 binary on x86_64) has other syscall numbers, so the filter lets its calls through.
#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xc000_003e;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xc000_00b7;
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const AUDIT_ARCH: u32 = 0;

const BPF_LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const BPF_JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
const BPF_RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
/// Offsets in `struct seccomp_data`: `nr` then `arch`.
const OFFSET_NR: u32 = 0;
const OFFSET_ARCH: u32 = 4;

fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jeq(k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter {
        code: BPF_JEQ_K,
        jt,
        jf,
        k,
    }
}

/// The filter: other architecture → allow; a watched number → trace; anything else → allow.
pub fn program() -> Vec<libc::sock_filter> {
    let nrs = watched();
    let n = nrs.len();
    let mut prog = vec![
        stmt(BPF_LD_W_ABS, OFFSET_ARCH),
        // Foreign architecture: jump to the final ALLOW.
        jeq(AUDIT_ARCH, 0, (n + 1) as u8),
        stmt(BPF_LD_W_ABS, OFFSET_NR),
    ];
    for (k, nr) in nrs.iter().enumerate() {
        // Equal: jump over the rest of the comparisons and the ALLOW to the TRACE.
        let to_trace = (n - k) as u8;
        prog.push(jeq(*nr as u32, to_trace, 0));
    }
    prog.push(stmt(BPF_RET_K, libc::SECCOMP_RET_ALLOW));
    prog.push(stmt(BPF_RET_K, libc::SECCOMP_RET_TRACE));
    prog
}

/// Install `prog` on the calling thread (after `PR_SET_NO_NEW_PRIVS`, which an unprivileged
/// process needs). Async-signal-safe: called in the child between `fork` and `execve`.
/// Returns the errno on failure.
pub fn install(prog: &[libc::sock_filter]) -> Result<(), i32> {
    let fprog = libc::sock_fprog {
        len: prog.len() as libc::c_ushort,
        filter: prog.as_ptr().cast_mut(),
    };
    // SAFETY: prctl with integer arguments.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(errno());
    }
    // SAFETY: `fprog` points at `prog`, both alive for the call; the kernel copies the filter.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            0,
            &fprog as *const libc::sock_fprog,
        )
    };
    if r != 0 {
        return Err(errno());
    }
    Ok(())
}

fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EINVAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run the filter the way the kernel does, on a `seccomp_data` of (nr, arch).
    fn run(prog: &[libc::sock_filter], nr: u32, arch: u32) -> u32 {
        let mut pc = 0usize;
        let mut acc = 0u32;
        loop {
            let ins = prog[pc];
            match ins.code {
                BPF_LD_W_ABS => acc = if ins.k == OFFSET_NR { nr } else { arch },
                BPF_JEQ_K => {
                    pc += usize::from(if acc == ins.k { ins.jt } else { ins.jf });
                }
                BPF_RET_K => return ins.k,
                other => panic!("unexpected instruction {other}"),
            }
            pc += 1;
        }
    }

    #[test]
    fn watched_calls_are_traced_and_others_allowed() {
        let prog = program();
        for nr in watched() {
            assert_eq!(run(&prog, nr as u32, AUDIT_ARCH), libc::SECCOMP_RET_TRACE);
        }
        assert_eq!(
            run(&prog, libc::SYS_openat as u32, AUDIT_ARCH),
            libc::SECCOMP_RET_ALLOW
        );
        assert_eq!(
            run(&prog, libc::SYS_sendto as u32, 0x4000_0003),
            libc::SECCOMP_RET_ALLOW,
            "another architecture's numbers mean other calls"
        );
    }
}
