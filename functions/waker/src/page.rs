//! The answer the load balancer turns into the visitor's HTTP response: a small, self-contained
//! HTML page (no external assets: the environment it would load them from is asleep) saying which
//! environment it is and what is happening, in the response document Elastic Load Balancing
//! expects of a Lambda target (Elastic Load Balancing user guide, "Lambda functions as targets",
//! "Respond to the load balancer": `statusCode`, `statusDescription`, `isBase64Encoded`,
//! `headers` or, with multi-value headers enabled, `multiValueHeaders`, and `body`).

use crate::decide::State;
use serde::Serialize;
use std::collections::BTreeMap;

/// The response document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    pub status_code: u16,
    pub status_description: String,
    pub is_base64_encoded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_value_headers: Option<BTreeMap<String, Vec<String>>>,
    pub body: String,
}

/// What the page is about.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// The request names no environment: why.
    Unrouted(&'a str),
    /// The environment and what its latest execution says.
    State(&'a str, &'a State),
    /// The environment and the name of the AWS failure that kept the waker from deciding or
    /// starting the wake.
    Failed(&'a str, &'a str),
}

/// How the response is shaped: HEAD gets no body; multi-value headers when the target group has
/// them enabled.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shape {
    pub head: bool,
    pub multi_value: bool,
}

/// One page: its status, title, sentence, and seconds after which to come back (`Retry-After`,
/// and an automatic reload when the wait is all there is to do).
struct Page {
    status: u16,
    title: &'static str,
    message: String,
    retry_after: Option<u32>,
    reload: bool,
}

/// A wake takes minutes (every component converges): come back every so often.
const WAKING_RETRY_SECONDS: u32 = 15;
/// The rules switch to the service within seconds of the provision's end.
const AWAKE_RETRY_SECONDS: u32 = 5;
/// A sleep converges within about a minute before a reload may wake the environment again.
const SLEEPING_RETRY_SECONDS: u32 = 60;
/// A failure to read or start is retried once the memo of it has expired.
const FAILED_RETRY_SECONDS: u32 = 20;

fn page(subject: Subject<'_>) -> Page {
    let unavailable = |title, message: String, retry_after, reload| Page {
        status: 503,
        title,
        message,
        retry_after,
        reload,
    };
    let gone = |title, message: String| Page {
        status: 404,
        title,
        message,
        retry_after: None,
        reload: false,
    };
    let state = match subject {
        Subject::Unrouted(why) => {
            return gone(
                "No environment here",
                format!("This request reached the waker, but {why}."),
            )
        }
        Subject::Failed(_, error) => {
            return unavailable(
                "Could not wake the environment",
                format!("Could not start the wake: {error}. Reload the page to try again."),
                Some(FAILED_RETRY_SECONDS),
                false,
            )
        }
        Subject::State(_, state) => state,
    };
    match state {
        State::Waking { execution, .. } => unavailable(
            "Waking up",
            format!("The environment was asleep and is waking up ({execution}). This page reloads by itself until it is awake, which takes a few minutes."),
            Some(WAKING_RETRY_SECONDS),
            true,
        ),
        State::GoingToSleep { execution } => unavailable(
            "Going to sleep",
            format!("The environment is going to sleep ({execution}). Reload in a minute to wake it."),
            Some(SLEEPING_RETRY_SECONDS),
            false,
        ),
        State::Awake { execution } => unavailable(
            "Awake",
            format!("The environment is awake ({execution}); the load balancer is switching over. Reload in a few seconds."),
            Some(AWAKE_RETRY_SECONDS),
            true,
        ),
        State::Standby { execution } => unavailable(
            "Waiting to be claimed",
            format!("This is a warm-pool environment waiting awake to be claimed ({execution}); it does not sleep."),
            None,
            false,
        ),
        State::BeingTornDown { execution } => unavailable(
            "Being torn down",
            format!("The environment is being torn down ({execution}): it will not be woken."),
            None,
            false,
        ),
        State::TornDown { execution } => gone(
            "Torn down",
            format!("The environment was torn down ({execution}). Bring it up again with `envctl env up`."),
        ),
        State::TeardownFailed { execution, status } => unavailable(
            "Teardown failed",
            format!("The teardown of the environment ({execution}) ended {status}: it will not be woken. Remove what is left with `envctl env down`."),
            None,
            false,
        ),
        State::ProvisionFailed { execution, status } => unavailable(
            "Provision failed",
            format!("The latest provision of the environment ({execution}) ended {status}: it cannot be woken from here. Bring it up again with `envctl env up`."),
            None,
            false,
        ),
        State::Unreadable { execution, reason } => unavailable(
            "Cannot wake",
            format!("The latest provision of the environment ({execution}) cannot be woken: {reason}."),
            None,
            false,
        ),
        State::NotFound => gone(
            "No such environment",
            "No workflow has run for this environment: bring it up with `envctl env up`.".to_owned(),
        ),
    }
}

/// The response for `subject`, shaped as the request needs.
pub fn respond(subject: Subject<'_>, shape: Shape) -> Response {
    let page = page(subject);
    let suffix = match subject {
        Subject::Unrouted(_) => None,
        Subject::State(suffix, _) | Subject::Failed(suffix, _) => Some(suffix),
    };
    let mut headers = vec![
        ("Content-Type", "text/html; charset=utf-8".to_owned()),
        // A page about a moment: no cache may keep it once the environment is awake.
        ("Cache-Control", "no-store".to_owned()),
    ];
    if let Some(seconds) = page.retry_after {
        headers.push(("Retry-After", seconds.to_string()));
    }
    let body = if shape.head {
        String::new()
    } else {
        html(&page, suffix)
    };
    let (single, multi) = if shape.multi_value {
        let multi = headers
            .into_iter()
            .map(|(name, value)| (name.to_owned(), vec![value]))
            .collect();
        (None, Some(multi))
    } else {
        let single = headers
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        (Some(single), None)
    };
    Response {
        status_code: page.status,
        status_description: match page.status {
            404 => "404 Not Found",
            _ => "503 Service Unavailable",
        }
        .to_owned(),
        is_base64_encoded: false,
        headers: single,
        multi_value_headers: multi,
        body,
    }
}

fn html(page: &Page, suffix: Option<&str>) -> String {
    let reload = match page.retry_after.filter(|_| page.reload) {
        Some(seconds) => format!("<meta http-equiv=\"refresh\" content=\"{seconds}\">"),
        None => String::new(),
    };
    let environment = match suffix {
        Some(suffix) => format!(
            "<p class=\"env\">Environment: <code>{}</code></p>",
            escape(suffix)
        ),
        None => String::new(),
    };
    let title = escape(page.title);
    let message = escape(&page.message);
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{reload}\
         <title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:40rem;\
         margin:4rem auto;padding:0 1rem;color:#222}}.env{{color:#666}}</style></head>\
         <body><h1>{title}</h1><p>{message}</p>{environment}</body></html>\n"
    )
}

/// `text` safe in HTML text and attribute values: the five characters HTML gives meaning to.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
#[path = "page_tests.rs"]
mod tests;
