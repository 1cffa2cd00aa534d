//! Lambda packages made from the function binaries of a build, for `envctl local`: what
//! `cargo lambda build --output-format zip` makes for a release, one `<function>.zip` per function
//! holding the executable as `bootstrap` (the file Lambda's OS-only runtime starts), laid out as
//! `deploy --packages` reads them.
//!
//! Entries are stored, not compressed: a debug build's binaries are large and the packages never
//! leave the machine, so compressing them would only cost time.

use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The name Lambda's OS-only runtime (`provided.al2023`) runs in a package.
pub const EXECUTABLE: &str = "bootstrap";

/// What one package was made from: a binary's length and modification time. A package whose
/// stamp matches is not written again.
fn stamp(binary: &Path) -> anyhow::Result<String> {
    let metadata = std::fs::metadata(binary)
        .context(format!("no binary {}: build the functions with `cargo build --bins` and pass --functions target/debug", binary.display()))?;
    let modified = metadata
        .modified()?
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    Ok(format!("{} {modified}", metadata.len()))
}

/// The package of `binary`: one executable entry named `bootstrap`.
pub fn zip_executable(binary: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o755)
        // A debug binary can pass zip's 4 GiB limit only with the 64-bit extensions.
        .large_file(binary.len() > u32::MAX as usize);
    writer.start_file(EXECUTABLE, options)?;
    writer.write_all(binary)?;
    Ok(writer.finish()?.into_inner())
}

/// Writes `<out>/<function>.zip` for each of `functions` from `<binaries>/<function>`, skipping
/// those already made from the same binary; returns `out`.
pub fn package_binaries(
    binaries: &Path,
    functions: &[&str],
    out: &Path,
) -> anyhow::Result<PathBuf> {
    let creating = format!("creating the packages' directory {}", out.display());
    std::fs::create_dir_all(out).context(creating)?;
    for function in functions {
        let binary = binaries.join(function);
        let stamp = stamp(&binary)?;
        let zip = out.join(format!("{function}.zip"));
        let stamp_file = out.join(format!("{function}.stamp"));
        if zip.exists() && std::fs::read_to_string(&stamp_file).ok().as_deref() == Some(&stamp) {
            continue;
        }
        let bytes =
            std::fs::read(&binary).context(format!("reading the binary {}", binary.display()))?;
        std::fs::write(&zip, zip_executable(&bytes)?)?;
        std::fs::write(&stamp_file, stamp)?;
    }
    Ok(out.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_package_holds_the_binary_as_an_executable_bootstrap() {
        let zip = zip_executable(b"\x7fELF binary").unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        assert_eq!(archive.len(), 1);
        let mut entry = archive.by_name("bootstrap").unwrap();
        assert_eq!(entry.unix_mode().map(|mode| mode & 0o777), Some(0o755));
        assert_eq!(entry.compression(), CompressionMethod::Stored);
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        assert_eq!(content, b"\x7fELF binary");
    }

    #[test]
    fn packages_are_written_once_per_binary_and_again_when_it_changes() {
        let dir = std::env::temp_dir().join(format!("envctl-package-{}", std::process::id()));
        let binaries = dir.join("bin");
        std::fs::create_dir_all(&binaries).unwrap();
        std::fs::write(binaries.join("network"), b"first").unwrap();
        let out = package_binaries(&binaries, &["network"], &dir.join("out")).unwrap();
        let zip = out.join("network.zip");
        let first = std::fs::read(&zip).unwrap();
        // Unchanged binary: the package is left as it is (a marker survives).
        std::fs::write(&zip, b"marker").unwrap();
        package_binaries(&binaries, &["network"], &out).unwrap();
        assert_eq!(std::fs::read(&zip).unwrap(), b"marker");
        // A new build: packaged again.
        std::fs::write(binaries.join("network"), b"second build").unwrap();
        package_binaries(&binaries, &["network"], &out).unwrap();
        let again = std::fs::read(&zip).unwrap();
        assert_ne!(again, first);
        assert_ne!(again, b"marker");

        let error = package_binaries(&binaries, &["cache"], &out).unwrap_err();
        assert!(
            error.to_string().starts_with("no binary ")
                && error.to_string().ends_with(
                    "cache: build the functions with `cargo build --bins` and pass --functions target/debug"
                ),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
