use super::*;

fn all_states() -> Vec<(State, u16, Option<&'static str>, bool)> {
    let execution = || "pr-42--x".to_owned();
    vec![
        (
            State::Waking {
                execution: execution(),
                started: true,
            },
            503,
            Some("15"),
            true,
        ),
        (
            State::GoingToSleep {
                execution: execution(),
            },
            503,
            Some("60"),
            false,
        ),
        (
            State::Awake {
                execution: execution(),
            },
            503,
            Some("5"),
            true,
        ),
        (
            State::Standby {
                execution: execution(),
            },
            503,
            None,
            false,
        ),
        (
            State::BeingTornDown {
                execution: execution(),
            },
            503,
            None,
            false,
        ),
        (
            State::TornDown {
                execution: execution(),
            },
            404,
            None,
            false,
        ),
        (
            State::TeardownFailed {
                execution: execution(),
                status: "FAILED".into(),
            },
            503,
            None,
            false,
        ),
        (
            State::ProvisionFailed {
                execution: execution(),
                status: "TIMED_OUT".into(),
            },
            503,
            None,
            false,
        ),
        (
            State::Unreadable {
                execution: execution(),
                reason: "its input is not JSON".into(),
            },
            503,
            None,
            false,
        ),
        (State::NotFound, 404, None, false),
    ]
}

#[test]
fn every_state_has_its_status_retry_and_reload_and_names_the_environment() {
    for (state, status, retry, reload) in all_states() {
        let response = respond(Subject::State("pr-42", &state), Shape::default());
        assert_eq!(response.status_code, status, "{state:?}");
        assert!(response.status_description.starts_with(&status.to_string()));
        let headers = response.headers.clone().unwrap();
        assert_eq!(headers["Content-Type"], "text/html; charset=utf-8");
        assert_eq!(headers["Cache-Control"], "no-store");
        assert_eq!(
            headers.get("Retry-After").map(String::as_str),
            retry,
            "{state:?}"
        );
        assert_eq!(
            response.body.contains("http-equiv=\"refresh\""),
            reload,
            "{state:?}"
        );
        assert!(response.body.contains("<code>pr-42</code>"), "{state:?}");
        assert!(!response.is_base64_encoded);
        assert_eq!(response.multi_value_headers, None);
    }
}

#[test]
fn the_pages_say_what_happens() {
    let waking = State::Waking {
        execution: "pr-42--w".into(),
        started: false,
    };
    let body = respond(Subject::State("pr-42", &waking), Shape::default()).body;
    assert!(body.contains("<title>Waking up</title>"), "{body}");
    assert!(body.contains("is waking up (pr-42--w)"), "{body}");
    let sleeping = State::GoingToSleep {
        execution: "pr-42--s".into(),
    };
    let body = respond(Subject::State("pr-42", &sleeping), Shape::default()).body;
    assert!(body.contains("Reload in a minute to wake it"), "{body}");
    let failed = respond(
        Subject::Failed("pr-42", "Retryable (ListExecutions)"),
        Shape::default(),
    );
    assert_eq!(failed.status_code, 503);
    assert!(
        failed
            .body
            .contains("Could not start the wake: Retryable (ListExecutions)."),
        "{}",
        failed.body
    );
    assert_eq!(failed.headers.unwrap()["Retry-After"], "20");
}

#[test]
fn a_request_for_no_environment_is_not_found_and_says_why() {
    let response = respond(
        Subject::Unrouted("the target group \"x\" is <odd>"),
        Shape::default(),
    );
    assert_eq!(response.status_code, 404);
    assert_eq!(response.status_description, "404 Not Found");
    assert!(
        response
            .body
            .contains("but the target group &quot;x&quot; is &lt;odd&gt;."),
        "{}",
        response.body
    );
    assert!(!response.body.contains("Environment:"));
}

#[test]
fn head_gets_the_headers_without_a_body_and_multi_value_headers_come_as_lists() {
    let state = State::Awake {
        execution: "pr-42--up".into(),
    };
    let head = respond(
        Subject::State("pr-42", &state),
        Shape {
            head: true,
            multi_value: false,
        },
    );
    assert_eq!(head.body, "");
    assert_eq!(head.status_code, 503);
    let multi = respond(
        Subject::State("pr-42", &state),
        Shape {
            head: false,
            multi_value: true,
        },
    );
    assert_eq!(multi.headers, None);
    let headers = multi.multi_value_headers.clone().unwrap();
    assert_eq!(headers["Retry-After"], ["5"]);
    let json = serde_json::to_value(&multi).unwrap();
    assert_eq!(json["statusCode"], 503);
    assert_eq!(json["statusDescription"], "503 Service Unavailable");
    assert_eq!(json["isBase64Encoded"], false);
    assert_eq!(
        json["multiValueHeaders"]["Cache-Control"],
        serde_json::json!(["no-store"])
    );
    assert!(json.get("headers").is_none());
}

#[test]
fn everything_printed_is_escaped() {
    assert_eq!(
        escape(r#"<a href="x">'&'</a>"#),
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
    );
    let state = State::Unreadable {
        execution: "<script>".into(),
        reason: "a & b".into(),
    };
    let body = respond(Subject::State("pr-42", &state), Shape::default()).body;
    assert!(
        body.contains("(&lt;script&gt;) cannot be woken: a &amp; b."),
        "{body}"
    );
    assert!(!body.contains("<script>"));
}
