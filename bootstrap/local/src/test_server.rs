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

/// A loopback port nothing answers on for as long as the returned socket lives: bound, never
/// listening, so a connection is refused and no parallel test can be handed the port meanwhile
/// (a listener's port released at once can be).
pub fn refusing_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    (socket, port)
}
