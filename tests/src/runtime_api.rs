//! A stand-in for the Lambda Runtime API, so a test can run a function binary exactly as Lambda
//! does (no arguments, `AWS_LAMBDA_RUNTIME_API` set) and read what it reports.
//!
//! It serves the given events one by one from `GET /2018-06-01/runtime/invocation/next`, records
//! each `POST …/{id}/response` or `…/{id}/error`, then stops listening, so the runtime's next poll
//! fails and the binary exits on its own (writing its coverage profile, unlike a killed process).
//! The benchmark instead holds that next poll open, so the process stays alive, idle, to be measured.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Instant;

/// What the function reported for one event.
#[derive(Debug, Clone, PartialEq)]
pub enum Reported {
    Response(Value),
    Error(Value),
}

/// What the API saw: each report with when it arrived, and the held poll, if any.
#[derive(Debug)]
pub struct Served {
    /// When the runtime first asked for an event: the end of the function's initialisation.
    pub first_poll: Option<Instant>,
    pub reported: Vec<(Reported, Instant)>,
    /// The runtime's poll after the last report, unanswered: the process waits on it until it ends.
    pub held: Option<TcpStream>,
}

#[derive(Debug)]
pub struct FakeRuntimeApi {
    pub address: String,
    worker: JoinHandle<Served>,
}

impl FakeRuntimeApi {
    pub fn serve(events: Vec<Value>) -> Self {
        Self::start(events, false)
    }

    /// As [`FakeRuntimeApi::serve`], but the poll after the last report is held open, unanswered.
    pub fn serve_and_hold(events: Vec<Value>) -> Self {
        Self::start(events, true)
    }

    fn start(events: Vec<Value>, hold: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let address = listener.local_addr().expect("bound").to_string();
        let worker = std::thread::spawn(move || {
            let total = events.len();
            let mut events = events.into_iter().enumerate();
            let mut reported = Vec::new();
            let mut first_poll = None;
            while reported.len() < total {
                let (stream, _) = listener.accept().expect("the runtime connects");
                let (method, path, body) = read_request(&stream);
                first_poll.get_or_insert_with(Instant::now);
                let body = serde_json::from_str(&body).unwrap_or(Value::Null);
                match (method.as_str(), path.rsplit('/').next()) {
                    ("GET", Some("next")) => match events.next() {
                        Some((index, event)) => {
                            respond(stream, 200, &event.to_string(), Some(index))
                        }
                        None => respond(stream, 404, "{}", None),
                    },
                    ("POST", Some("response")) => {
                        reported.push((Reported::Response(body), Instant::now()));
                        respond(stream, 202, "{}", None);
                    }
                    ("POST", Some("error")) => {
                        reported.push((Reported::Error(body), Instant::now()));
                        respond(stream, 202, "{}", None);
                    }
                    _ => respond(stream, 404, "{}", None),
                }
            }
            let held = hold.then(|| {
                let (stream, _) = listener.accept().expect("the runtime polls again");
                read_request(&stream);
                stream
            });
            Served {
                first_poll,
                reported,
                held,
            }
        });
        Self { address, worker }
    }

    /// Waits for the fake API to stop and returns what the function reported, in order.
    pub fn reported(self) -> Vec<Reported> {
        self.served()
            .reported
            .into_iter()
            .map(|(reported, _)| reported)
            .collect()
    }

    /// Waits for the last report (and with [`FakeRuntimeApi::serve_and_hold`], the next poll).
    pub fn served(self) -> Served {
        self.worker
            .join()
            .expect("the fake runtime API thread ends")
    }
}

fn read_request(stream: &TcpStream) -> (String, String, String) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).expect("a request line");
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut content_length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).expect("a header line");
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body).expect("the request body");
    (method, path, String::from_utf8_lossy(&body).into_owned())
}

fn respond(mut stream: TcpStream, status: u16, body: &str, request: Option<usize>) {
    let mut head = format!(
        "HTTP/1.1 {status} OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    if let Some(index) = request {
        // The headers the runtime reads to build the invocation context.
        head.push_str(&format!(
            "lambda-runtime-aws-request-id: request-{index}\r\n\
             lambda-runtime-deadline-ms: 9999999999999\r\n\
             lambda-runtime-invoked-function-arn: arn:aws:lambda:us-west-2:123456789012:function:test\r\n\
             lambda-runtime-trace-id: Root=1-00000000-000000000000000000000000\r\n"
        ));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}
