//! The entry point every function binary shares.
//!
//! With no arguments the binary runs as a Lambda under the runtime API. Started as `<binary> invoke`
//! it reads one event (JSON) from stdin and prints the response (JSON) on stdout; on error it prints
//! `{"errorType": …, "errorMessage": …}` and exits 1. The local workflow runner, the CLI's local mode
//! and outside checkers all rely on this exact contract.

use crate::contract::Event;
use crate::error::{error_chain, NamedError};
use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde::Serialize;
use serde_json::{json, Value};
use std::future::Future;
use std::process::ExitCode;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Exit code of a failed invocation: the error JSON is on stdout.
pub const EXIT_FAILED: u8 = 1;
/// Exit code of a command line this entry point does not understand.
pub const EXIT_USAGE: u8 = 2;

/// What a failed invocation reports, in the shape of the Lambda runtime API's error body.
pub fn error_body(error: &dyn NamedError) -> Value {
    json!({"errorType": error.error_name().as_str(), "errorMessage": error_chain(error)})
}

fn diagnostic(error: impl NamedError) -> Diagnostic {
    Diagnostic {
        error_type: error.error_name().as_str().to_owned(),
        error_message: error_chain(&error),
    }
}

/// Runs the handler as the command line asks: Lambda (no argument) or local invoke (`invoke`).
pub async fn run<Ev, Out, Err, Handler, Fut>(handler: Handler) -> ExitCode
where
    Ev: Event,
    Out: Serialize,
    Err: NamedError,
    Handler: Fn(Ev) -> Fut,
    Fut: Future<Output = Result<Out, Err>>,
{
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => run_lambda(handler).await,
        ["invoke"] => invoke(handler, tokio::io::stdin(), tokio::io::stdout()).await,
        _ => {
            eprintln!(
                "usage: {} [invoke]\n  (no argument)  run under the Lambda runtime API\n  invoke         read one event as JSON on stdin, print the response as JSON on stdout",
                std::env::args().next().unwrap_or_default()
            );
            ExitCode::from(EXIT_USAGE)
        }
    }
}

async fn run_lambda<Ev, Out, Err, Handler, Fut>(handler: Handler) -> ExitCode
where
    Ev: Event,
    Out: Serialize,
    Err: NamedError,
    Handler: Fn(Ev) -> Fut,
    Fut: Future<Output = Result<Out, Err>>,
{
    let handler = &handler;
    let service = service_fn(move |event: LambdaEvent<Value>| async move {
        // Our own parsing, not the runtime's, so a bad event fails with the same error names here
        // as in local invoke.
        let event = Ev::from_event(event.payload).map_err(diagnostic)?;
        handler(event).await.map_err(diagnostic)
    });
    // The runtime returns only when it can no longer poll the runtime API for the next event, which
    // for a Lambda process is always the end of an abnormal run.
    let outcome = lambda_runtime::run(service).await;
    tracing::error!(?outcome, "the Lambda runtime loop ended");
    ExitCode::from(EXIT_FAILED)
}

/// One local invocation: an event from `input`, the response or the error body to `output`.
pub async fn invoke<Ev, Out, Err, Handler, Fut>(
    handler: Handler,
    mut input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
) -> ExitCode
where
    Ev: Event,
    Out: Serialize,
    Err: NamedError,
    Handler: Fn(Ev) -> Fut,
    Fut: Future<Output = Result<Out, Err>>,
{
    let mut text = String::new();
    let outcome = match input.read_to_string(&mut text).await {
        Err(error) => Err(error_body(&crate::contract::EventRejected::InvalidEvent(
            format!("stdin could not be read: {error}"),
        ))),
        Ok(_) => match serde_json::from_str::<Value>(&text) {
            Err(error) => Err(error_body(&crate::contract::EventRejected::InvalidEvent(
                format!("stdin is not JSON: {error}"),
            ))),
            Ok(value) => match Ev::from_event(value) {
                Err(rejected) => Err(error_body(&rejected)),
                Ok(event) => match handler(event).await {
                    Ok(response) => serde_json::to_value(response).map_err(unwritable_response),
                    Err(error) => Err(error_body(&error)),
                },
            },
        },
    };
    let (body, code) = match outcome {
        Ok(body) => (body, ExitCode::SUCCESS),
        Err(body) => (body, ExitCode::from(EXIT_FAILED)),
    };
    let line = format!("{body}\n");
    // If stdout is gone there is nobody left to tell; the exit code still says what happened.
    let _ = output.write_all(line.as_bytes()).await;
    let _ = output.flush().await;
    code
}

/// A handler whose response is not representable as JSON is a bug in the function, not the event.
fn unwritable_response(error: serde_json::Error) -> Value {
    json!({"errorType": "Misconfigured", "errorMessage": format!("the response could not be written as JSON: {error}")})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{Action, Request};
    use crate::error::ErrorName;
    use std::collections::BTreeMap;

    #[derive(Debug, thiserror::Error)]
    #[error("the widget is broken")]
    struct Broken;

    impl NamedError for Broken {
        fn error_name(&self) -> ErrorName {
            ErrorName::ComponentFailed
        }
    }

    /// Either a response JSON can hold, or one it cannot (a map with non-string keys).
    #[derive(Serialize)]
    #[serde(untagged)]
    enum Answer {
        Plain(Value),
        Unwritable(BTreeMap<(u8, u8), u8>),
    }

    /// One handler that can take every path, so one instantiation of `invoke` covers them all:
    /// create answers, status answers with something JSON cannot hold, delete fails.
    async fn widget(request: Request) -> Result<Answer, Broken> {
        match request.action {
            Action::Create => Ok(Answer::Plain(
                json!({"created": request.spec.suffix().as_str()}),
            )),
            Action::Status => Ok(Answer::Unwritable(BTreeMap::from([((1, 2), 3)]))),
            Action::Delete => Err(Broken),
        }
    }

    fn event(action: &str) -> String {
        let spec =
            r#"{"environmentSuffix": "x", "containerImage": "x", "selfSignedCertificate": true}"#;
        format!(r#"{{"action": "{action}", "spec": {spec}}}"#)
    }

    async fn run_once(input: &[u8]) -> (ExitCode, Value) {
        let mut output = Vec::new();
        let code = invoke(widget, input, &mut output).await;
        let text = String::from_utf8(output).unwrap();
        assert!(text.ends_with('\n'));
        (code, serde_json::from_str(&text).unwrap())
    }

    #[tokio::test]
    async fn a_handled_event_prints_the_response() {
        let (code, body) = run_once(event("create").as_bytes()).await;
        assert_eq!(code, ExitCode::SUCCESS);
        assert_eq!(body, json!({"created": "x"}));
    }

    #[tokio::test]
    async fn a_handler_error_prints_its_name_and_chain() {
        let (code, body) = run_once(event("delete").as_bytes()).await;
        assert_eq!(code, ExitCode::from(EXIT_FAILED));
        assert_eq!(
            body,
            json!({"errorType": "ComponentFailed", "errorMessage": "the widget is broken"})
        );
    }

    #[tokio::test]
    async fn an_event_the_function_cannot_accept_is_reported_before_the_handler_runs() {
        let (code, body) = run_once(event("destroy").as_bytes()).await;
        assert_eq!(code, ExitCode::from(EXIT_FAILED));
        assert_eq!(body["errorType"], "InvalidEvent");
        assert!(
            body["errorMessage"]
                .as_str()
                .unwrap()
                .contains("unknown variant `destroy`"),
            "{body}"
        );
    }

    #[tokio::test]
    async fn input_that_is_not_json_is_an_invalid_event() {
        let (code, body) = run_once(b"{not json").await;
        assert_eq!(code, ExitCode::from(EXIT_FAILED));
        assert_eq!(body["errorType"], "InvalidEvent");
        assert!(body["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("the event is not valid: stdin is not JSON"));
    }

    #[tokio::test]
    async fn unreadable_input_is_an_invalid_event() {
        let (code, body) = run_once(&[0xff, 0xfe]).await;
        assert_eq!(code, ExitCode::from(EXIT_FAILED));
        assert!(
            body["errorMessage"]
                .as_str()
                .unwrap()
                .contains("stdin could not be read"),
            "{body}"
        );
    }

    #[tokio::test]
    async fn a_response_that_is_not_json_is_a_misconfiguration() {
        let (code, body) = run_once(event("status").as_bytes()).await;
        assert_eq!(code, ExitCode::from(EXIT_FAILED));
        assert_eq!(body["errorType"], "Misconfigured");
    }

    #[test]
    fn diagnostics_carry_the_stable_name() {
        let diagnostic = diagnostic(Broken);
        assert_eq!(diagnostic.error_type, "ComponentFailed");
        assert_eq!(diagnostic.error_message, "the widget is broken");
    }
}
