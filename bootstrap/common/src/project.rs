//! The checkout a command works in: `deploy --build` builds there, `local` runs its workflows from
//! there.

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
        // This crate is bootstrap/common/ in the checkout.
        assert_eq!(root, here.parent().unwrap().parent().unwrap());
        let error = project_root(Path::new("/")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("/ is not inside a catalog-environments checkout"),
            "{error}"
        );
    }
}
