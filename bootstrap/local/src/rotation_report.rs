//! What the emulator says of the rotations it ran (`GET /_emulator/rotations`,
//! tools/emulator/local_rotation.py): with a PostgreSQL standing in for Aurora, the rotation Secrets
//! Manager starts runs the deployed rotation package for real; without one it is only scheduled.
//! `local up` and `local demo` print one line of it after the provision.

use super::deployed::download;
use super::emulator::Endpoints;
use serde_json::Value;

/// Where the emulator reports its rotations.
pub const PATH: &str = "/_emulator/rotations";

pub async fn fetch(endpoints: &Endpoints) -> anyhow::Result<Value> {
    let bytes = download(&format!("{}{PATH}", endpoints.endpoint), "rotation report").await?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// The line to print; an emulator that does not report rotations (one given by `--endpoint-url`
/// that is not this project's launcher) is said so, not an error.
pub async fn line(endpoints: &Endpoints) -> String {
    match fetch(endpoints).await {
        Ok(report) => summary(&report),
        Err(error) => format!("rotation: the emulator does not report it ({error:#})"),
    }
}

/// One line: each rotation with its outcome, or why none ran.
pub fn summary(report: &Value) -> String {
    let Some(server) = report["postgres"].as_object() else {
        return format!(
            "rotation: {}",
            report["why"].as_str().unwrap_or("not reported")
        );
    };
    let at = format!(
        "PostgreSQL at {}:{}",
        server["host"].as_str().unwrap_or("?"),
        server["port"]
    );
    let runs: Vec<String> = report["rotations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(outcome)
        .collect();
    if runs.is_empty() {
        return format!("rotation: none ran ({at} stands in for Aurora)");
    }
    // Every secret's rotation is listed, the API keys' and the Redis token's too: only the
    // credentials' touch the PostgreSQL server.
    format!(
        "rotations run ({at} stands in for Aurora): {}",
        runs.join("; ")
    )
}

fn outcome(run: &Value) -> String {
    let secret = run["secretId"].as_str().unwrap_or("?");
    // The secret's name: its ARN's last part without the six random characters AWS adds.
    let name = secret
        .rsplit(':')
        .next()
        .and_then(|name| name.rsplit_once('-'))
        .map_or(secret, |(name, _)| name);
    let steps = run["steps"].as_array().map_or(&[][..], Vec::as_slice);
    let ms: u64 = steps.iter().filter_map(|step| step["ms"].as_u64()).sum();
    if run["rotated"] == Value::Bool(true) {
        return format!("{name} rotated ({} steps, {ms} ms)", steps.len());
    }
    let failed = steps.iter().find(|step| step["ok"] == Value::Bool(false));
    match (failed, run["error"].as_str()) {
        (Some(step), _) => format!(
            "{name} failed at {}: {}",
            step["step"].as_str().unwrap_or("?"),
            step["error"].as_str().unwrap_or("?")
        ),
        (None, Some(error)) => format!("{name} could not run: {error}"),
        (None, None) => format!("{name} still running"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_server::answering_once;
    use serde_json::json;

    const SECRET: &str =
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-db-app-demo-AbCdEf";

    fn report(rotations: Value) -> Value {
        json!({"postgres": {"host": "localhost", "port": 5432, "passwordsChecked": true},
               "why": "…", "rotations": rotations})
    }

    /// Endpoints of a server that answers one request with `body` (HTTP 200).
    fn answering(body: &'static str) -> (Endpoints, std::thread::JoinHandle<()>) {
        let (endpoint, server) = answering_once("200 OK", body.as_bytes());
        let endpoints = Endpoints {
            cloudwatch: endpoint.clone(),
            endpoint,
        };
        (endpoints, server)
    }

    #[test]
    fn the_line_is_the_emulators_report_or_why_there_is_none() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (endpoints, server) = answering(r#"{"postgres": null, "why": "off", "rotations": []}"#);
        assert_eq!(runtime.block_on(line(&endpoints)), "rotation: off");
        server.join().unwrap();

        // An emulator that is not this project's launcher: nothing answers there.
        let (_held, port) = crate::test_server::refusing_port();
        let endpoints = Endpoints {
            endpoint: format!("http://127.0.0.1:{port}"),
            cloudwatch: format!("http://127.0.0.1:{port}"),
        };
        let line = runtime.block_on(line(&endpoints));
        assert_eq!(
            line,
            format!("rotation: the emulator does not report it (downloading the rotation report from http://127.0.0.1:{port}/_emulator/rotations: client error (Connect): tcp connect error: Connection refused (os error 111))")
        );
    }

    #[test]
    fn without_a_server_the_line_says_why() {
        let off = json!({"postgres": null, "why": "off (--postgres none): rotation is only scheduled", "rotations": []});
        assert_eq!(
            summary(&off),
            "rotation: off (--postgres none): rotation is only scheduled"
        );
        assert_eq!(summary(&json!({})), "rotation: not reported");
    }

    #[test]
    fn each_rotation_is_named_by_its_secret_with_its_outcome() {
        let step = |name: &str, ok: bool| json!({"step": name, "ok": ok, "ms": 50, "error": "ComponentFailed: refused"});
        let rotations = json!([
            {"secretId": SECRET, "rotated": true, "steps": [step("createSecret", true), step("setSecret", true), step("testSecret", true), step("finishSecret", true)]},
            {"secretId": SECRET, "rotated": false, "steps": [step("createSecret", true), step("setSecret", false)]},
            {"secretId": SECRET, "rotated": false, "steps": [], "error": "no such function"},
            {"secretId": "plain", "rotated": false, "steps": []},
        ]);
        assert_eq!(
            summary(&report(rotations)),
            "rotations run (PostgreSQL at localhost:5432 stands in for Aurora): secret-db-app-demo rotated (4 steps, 200 ms); \
             secret-db-app-demo failed at setSecret: ComponentFailed: refused; \
             secret-db-app-demo could not run: no such function; plain still running"
        );
        assert_eq!(
            summary(&report(json!([]))),
            "rotation: none ran (PostgreSQL at localhost:5432 stands in for Aurora)"
        );
    }
}
