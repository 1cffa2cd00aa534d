//! `local up|down|status|demo`: the same workflows run on this machine by the local runner
//! (tools/workflow/run.mjs) against an AWS emulator, so the whole lifecycle needs no AWS account.
//!
//! moto keeps its state only while it runs, so `local up` without `--endpoint-url` leaves the moto it
//! starts running and records it in `.local/emulator.json`; `local status` and `local down` use that
//! one, and `local down` stops it once the environment is gone. `local demo` does up, status and down
//! against a moto of its own that ends with the command.

pub mod cleanup;
pub mod command;
pub mod deployed;
pub mod emulator;
pub mod package;
pub mod rotation_report;
pub mod runner;

#[cfg(test)]
pub(crate) mod test_server;

use anyhow::bail;
use std::path::{Path, PathBuf};

/// The checkout the command works in: the first directory at or above `start` holding the state
/// machines and the local runner.
pub fn project_root(start: &Path) -> anyhow::Result<PathBuf> {
    let mut dir = Some(start);
    while let Some(candidate) = dir {
        if candidate.join("statemachine/placeholders.json").exists()
            && candidate.join("tools/workflow/run.mjs").exists()
        {
            return Ok(candidate.to_path_buf());
        }
        dir = candidate.parent();
    }
    bail!(
        "{} is not inside a catalog-environments checkout (no statemachine/ and tools/workflow/ above it): run from the repository or pass --project",
        start.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_is_found_from_any_directory_inside_it() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = project_root(&here.join("src")).unwrap();
        assert_eq!(root, here.parent().unwrap());
        let error = project_root(Path::new("/")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("/ is not inside a catalog-environments checkout"),
            "{error}"
        );
    }
}
