//! How far a background load has read, shared between the loading thread (which stores the
//! bytes read) and the screen (which shows a percentage while the label says "loading").

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone, Default)]
pub struct LoadProgress {
    read: Arc<AtomicU64>,
    total: u64,
}

impl LoadProgress {
    /// Progress over a file of `total` bytes.
    pub fn new(total: u64) -> Self {
        LoadProgress {
            read: Arc::new(AtomicU64::new(0)),
            total,
        }
    }

    /// For `path`'s size (0 when it cannot be read: the percentage then stays unknown).
    pub fn for_file(path: &std::path::Path) -> Self {
        Self::new(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))
    }

    /// Called by the loader with the bytes read so far.
    pub fn set(&self, read: u64) {
        self.read.store(read, Ordering::Relaxed);
    }

    /// A closure for the loaders' `progress` parameter.
    pub fn reporter(&self) -> impl FnMut(u64) + Send + 'static {
        let read = Arc::clone(&self.read);
        move |n| read.store(n, Ordering::Relaxed)
    }

    /// 0..=100, or `None` when the size is unknown.
    pub fn percent(&self) -> Option<u8> {
        if self.total == 0 {
            return None;
        }
        let read = self.read.load(Ordering::Relaxed).min(self.total);
        Some((read * 100 / self.total) as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_of_the_file_read() {
        let p = LoadProgress::new(200);
        assert_eq!(p.percent(), Some(0));
        let mut report = p.reporter();
        report(50);
        assert_eq!(p.percent(), Some(25));
        p.set(500);
        assert_eq!(p.percent(), Some(100), "never past 100");
        assert_eq!(LoadProgress::new(0).percent(), None);
    }
}
