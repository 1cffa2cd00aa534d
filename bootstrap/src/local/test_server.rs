//! A plain-HTTP server for unit tests that answers one request with a status line and a body.

use std::io::{Read, Write};
use std::thread::JoinHandle;

/// `http://<address>` of a server that answers its one request with `status` and `body`.
pub fn answering_once(status: &'static str, body: &'static [u8]) -> (String, JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let _ = stream.read(&mut [0u8; 1024]).unwrap();
        let head = format!(
            "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
    });
    (address, server)
}
