//! How an execution moto recorded (and never runs) ended, once the local runner ran it: told to the
//! emulator (`POST /_emulator/execution-outcome`, tools/emulator/executions.py), so that Step
//! Functions answers afterwards what AWS would: DescribeExecution with its status and output, and
//! StartExecution of the same name refused (the warm pool's claim lock and its "latest provision
//! SUCCEEDED" rule read exactly that).

use super::emulator::Endpoints;
use super::runner::Finished;
use anyhow::{bail, Context};
use serde_json::{json, Value};

/// Where the emulator takes an outcome (tools/emulator/executions.py, `OUTCOME_PATH`).
pub const OUTCOME_PATH: &str = "/_emulator/execution-outcome";

/// The outcome of `finished` for the execution `arn`: SUCCEEDED with its output, or FAILED with
/// its error and cause (a runner status other than SUCCEEDED is a failure, as Step Functions ends
/// an execution SUCCEEDED or not).
pub fn body(arn: &str, finished: &Finished) -> Value {
    let result = &finished.body;
    if finished.succeeded() {
        return json!({"executionArn": arn, "status": "SUCCEEDED", "output": result["output"]});
    }
    json!({
        "executionArn": arn,
        "status": "FAILED",
        "error": result["error"].as_str().unwrap_or("States.Runtime"),
        "cause": result["cause"].as_str().unwrap_or_default(),
    })
}

/// Records how the execution `arn` ended in the emulator at `endpoints`.
pub async fn record(endpoints: &Endpoints, arn: &str, finished: &Finished) -> anyhow::Result<()> {
    post(&endpoints.endpoint, &body(arn, finished)).await
}

async fn post(endpoint: &str, body: &Value) -> anyhow::Result<()> {
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let location = format!("{endpoint}{OUTCOME_PATH}");
    let request = hyper::Request::post(&location)
        .header("content-type", "application/json")
        .body(Full::new(bytes::Bytes::from(body.to_string())))
        .context(format!("the request to {location}"))?;
    let client: Client<_, Full<bytes::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let recording = format!("recording {} in the emulator", body["executionArn"]);
    let response = client.request(request).await.context(recording.clone())?;
    let status = response.status();
    let answer = response.into_body().collect().await;
    let answer = answer.context(recording.clone())?.to_bytes();
    if !status.is_success() {
        bail!(
            "{recording}: HTTP {status}: {}",
            String::from_utf8_lossy(&answer)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_server::answering_once;

    fn finished(body: Value) -> Finished {
        Finished { body, log: vec![] }
    }

    #[test]
    fn a_success_carries_its_output_and_a_failure_its_error_and_cause() {
        let output = json!({"environment": "pool-a", "outputs": {"url": "https://a"}});
        let done = finished(json!({"status": "SUCCEEDED", "output": output}));
        assert_eq!(
            body("arn:x", &done),
            json!({"executionArn": "arn:x", "status": "SUCCEEDED", "output": output})
        );
        let failed =
            finished(json!({"status": "FAILED", "error": "ComponentFailed", "cause": "no image"}));
        assert_eq!(
            body("arn:x", &failed),
            json!({"executionArn": "arn:x", "status": "FAILED", "error": "ComponentFailed", "cause": "no image"})
        );
        // A runner that named neither: Step Functions' own runtime error, no cause.
        let bare = finished(json!({"status": "TIMED_OUT"}));
        assert_eq!(
            body("arn:x", &bare),
            json!({"executionArn": "arn:x", "status": "FAILED", "error": "States.Runtime", "cause": ""})
        );
    }

    #[test]
    fn a_refused_or_unreachable_recording_is_an_error_naming_the_execution_and_the_answer() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let done = finished(json!({"status": "SUCCEEDED", "output": {}}));
        let (address, server) =
            answering_once("404 Not Found", br#"{"message": "no execution arn:x"}"#);
        let endpoints = Endpoints {
            endpoint: address,
            cloudwatch: String::new(),
        };
        let error = runtime
            .block_on(record(&endpoints, "arn:x", &done))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"recording "arn:x" in the emulator: HTTP 404 Not Found: {"message": "no execution arn:x"}"#
        );
        server.join().unwrap();

        let (address, server) = answering_once("200 OK", br#"{"status": "SUCCEEDED"}"#);
        let endpoints = Endpoints {
            endpoint: address,
            cloudwatch: String::new(),
        };
        runtime
            .block_on(record(&endpoints, "arn:x", &done))
            .unwrap();
        server.join().unwrap();

        let (_held, port) = crate::test_server::refusing_port();
        let endpoints = Endpoints {
            endpoint: format!("http://127.0.0.1:{port}"),
            cloudwatch: String::new(),
        };
        let error = runtime
            .block_on(record(&endpoints, "arn:x", &done))
            .unwrap_err();
        assert_eq!(error.to_string(), r#"recording "arn:x" in the emulator"#);
        let error = runtime.block_on(post("not a url", &json!({}))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the request to not a url/_emulator/execution-outcome"
        );
    }
}
