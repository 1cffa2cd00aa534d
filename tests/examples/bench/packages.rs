//! The release packages as `cargo lambda build --release --output-format zip` writes them:
//! `<dir>/<function>/bootstrap.zip`, the file Lambda is given.

use std::path::Path;

/// The zipped size of each function's package, in bytes.
pub fn sizes(dir: &Path, functions: &[&str]) -> Vec<(String, u64)> {
    functions
        .iter()
        .map(|function| {
            let path = dir.join(function).join("bootstrap.zip");
            let size = std::fs::metadata(&path)
                .unwrap_or_else(|error| {
                    panic!(
                        "{}: {error} (build the packages: cargo lambda build --release --output-format zip)",
                        path.display()
                    )
                })
                .len();
            ((*function).to_owned(), size)
        })
        .collect()
}
