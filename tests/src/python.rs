//! The project's Python helpers (tests/iam, tools/emulator), run with the emulator's Python: a
//! JSON document on stdin, a JSON answer on stdout.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `script` (in its own directory, so it finds its modules) with `input` on stdin; its
/// stdout, after asserting it exited cleanly.
pub fn run(script: &Path, input: &Value) -> Vec<u8> {
    let mut child = Command::new(crate::emulator::python())
        .arg(script)
        .current_dir(script.parent().expect("a script in a directory"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.to_string().as_bytes())
        .expect("the input is written");
    let output = child.wait_with_output().expect("python ends");
    assert!(
        output.status.success(),
        "{}: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// [`run`], its answer read as JSON.
pub fn json(script: &Path, input: &Value) -> Value {
    serde_json::from_slice(&run(script, input)).expect("a JSON answer")
}
