//! Reading an environment spec file, or stdin for `-`.

use anyhow::Context;
use serde_json::Value;
use std::io::Read;
use std::path::Path;

/// The spec file's JSON (`-` reads stdin).
pub fn read_spec(file: &Path, mut stdin: impl Read) -> anyhow::Result<Value> {
    let mut text = String::new();
    if file == Path::new("-") {
        stdin
            .read_to_string(&mut text)
            .context("reading the spec from stdin")?;
    } else {
        text = std::fs::read_to_string(file)
            .with_context(|| format!("reading the spec file {}", file.display()))?;
    }
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dash_reads_stdin_and_anything_else_a_file() {
        let stdin = read_spec(Path::new("-"), r#"{"a": 1}"#.as_bytes()).unwrap();
        assert_eq!(stdin, serde_json::json!({"a": 1}));
        let dir = std::env::temp_dir().join(format!("envctl-spec-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("spec.json");
        std::fs::write(&file, "[2]").unwrap();
        // A file's text, not stdin's.
        let read = read_spec(&file, "{}".as_bytes()).unwrap();
        assert_eq!(read, serde_json::json!([2]));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn what_could_not_be_read_or_parsed_is_named() {
        let not_utf8: &[u8] = &[0xff];
        let error = read_spec(Path::new("-"), not_utf8).unwrap_err();
        assert_eq!(error.to_string(), "reading the spec from stdin");
        let error = read_spec(Path::new("-"), "{oops".as_bytes()).unwrap_err();
        assert_eq!(error.to_string(), "- is not JSON");
        let missing = Path::new("/nonexistent/spec.json");
        let error = read_spec(missing, std::io::empty()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "reading the spec file /nonexistent/spec.json"
        );
    }
}
