//! The integration-test harness: a moto server for the whole run, real PostgreSQL, the function
//! binaries, and a suffix per test so tests run in parallel without seeing each other's resources.

pub mod backend;
pub mod deployed;
pub mod emulator;
pub mod functions;
pub mod iam;
pub mod leftovers;
pub mod local;
pub mod parliament;
pub mod postgres;
pub mod python;
pub mod rotation;
pub mod route53;
pub mod runtime_api;
pub mod scratch;
pub mod tagged;
pub mod workflow;

use env_core::spec::EnvironmentSuffix;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A suffix no other test of this run uses: `t<pid>-<n>`, short enough for every AWS name.
pub fn unique_suffix() -> EnvironmentSuffix {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    EnvironmentSuffix::parse(&format!("t{}-{n}", std::process::id())).expect("a valid suffix")
}
