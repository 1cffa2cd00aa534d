//! A directory of one test's own under the system's temporary directory, removed when the test
//! ends (even by a panic). A deploying test's work directory holds every function's debug package
//! and its unpacked copy, 1.4–2.3 GB, so a suite that left them behind would fill the disk.

use std::ops::Deref;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// `<tmp>/<name>-<pid>`, empty: what an earlier run with this pid left there is removed first.
    pub fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("a scratch directory");
        Self(path)
    }
}

impl Deref for ScratchDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
