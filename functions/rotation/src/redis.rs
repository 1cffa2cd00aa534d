//! The real [`TokenCheck`]: a Redis login over verified TLS, `AUTH <token>` then `PING`.
//!
//! Only two commands are ever sent, so the client is the few lines of RESP they need (the Redis
//! serialization protocol: a command is an array of bulk strings, `*<n>\r\n` then `$<len>\r\n<bytes>\r\n`
//! per argument; a reply starts with `+` for a status, `-` for an error; redis.io, "Redis
//! serialization protocol specification") rather than a client library. ElastiCache requires TLS
//! when AUTH is on (ElastiCache user guide, "Authenticating with the Valkey and Redis OSS AUTH
//! command"), and its server certificates chain to Amazon's public roots; the certificate must name
//! the host connected to.

use crate::cache::{TokenCheck, TokenRejected};
use crate::postgres::client_config;
use env_core::settings::Misconfigured;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// The roots a Redis server's certificate may chain to: the public roots of the Mozilla root
/// program (webpki-roots; ElastiCache's certificates are publicly trusted: `redis-cli --tls`
/// connects with the system's roots alone), and the certificates of the CA bundle the function
/// ships (locally, the stand-in server's).
pub fn tls_config(bundle: &Path) -> Result<ClientConfig, Misconfigured> {
    client_config(bundle, webpki_roots::TLS_SERVER_ROOTS.iter().cloned())
}

/// Logs in to Redis servers over verified TLS.
#[derive(Clone)]
pub struct Redis {
    tls: TlsConnector,
    timeout: Duration,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// One command as RESP: an array of bulk strings.
pub fn command(arguments: &[&str]) -> Vec<u8> {
    let mut bytes = format!("*{}\r\n", arguments.len()).into_bytes();
    for argument in arguments {
        bytes.extend_from_slice(format!("${}\r\n", argument.len()).as_bytes());
        bytes.extend_from_slice(argument.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    bytes
}

/// What a one-line reply means: `Ok` for a status (`+OK`, `+PONG`), the error's text for `-…`.
pub fn reply(line: &str) -> Result<(), String> {
    let line = line.trim_end_matches(['\r', '\n']);
    match line.split_at_checked(1) {
        Some(("+", _)) => Ok(()),
        Some(("-", error)) => Err(error.to_owned()),
        _ => Err(format!("unexpected reply {line:?}")),
    }
}

impl Redis {
    pub fn new(tls: ClientConfig, timeout: Duration) -> Self {
        Self {
            tls: TlsConnector::from(Arc::new(tls)),
            timeout,
        }
    }

    async fn try_token(&self, host: &str, port: u16, token: &str) -> Result<(), TokenRejected> {
        let Ok(name) = ServerName::try_from(host.to_owned()) else {
            return Err(TokenRejected::Unreachable(format!(
                "{host}: not a host name"
            )));
        };
        match self.exchange(name, host, port, token).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(refused)) => Err(TokenRejected::Refused(refused)),
            Err(error) => Err(TokenRejected::Unreachable(format!(
                "{host}:{port}: {error}"
            ))),
        }
    }

    /// AUTH, then PING: an I/O error (connection, TLS handshake, write, read) is the outer
    /// error; the server's refusal of a command, named by the command alone (never the token), the
    /// inner one.
    async fn exchange(
        &self,
        name: ServerName<'static>,
        host: &str,
        port: u16,
        token: &str,
    ) -> std::io::Result<Result<(), String>> {
        let tcp = TcpStream::connect((host, port)).await?;
        let mut stream = BufReader::new(self.tls.connect(name, tcp).await?);
        for arguments in [&["AUTH", token][..], &["PING"][..]] {
            stream.write_all(&command(arguments)).await?;
            let mut line = String::new();
            stream.read_line(&mut line).await?;
            if let Err(error) = reply(&line) {
                return Ok(Err(format!("{}: {error}", arguments[0])));
            }
        }
        Ok(Ok(()))
    }
}

impl TokenCheck for Redis {
    async fn accepts(&self, host: &str, port: u16, token: &str) -> Result<(), TokenRejected> {
        let answer = tokio::time::timeout(self.timeout, self.try_token(host, port, token)).await;
        let Ok(answer) = answer else {
            return Err(TokenRejected::Unreachable(format!(
                "{host}:{port}: no answer within {:?}",
                self.timeout
            )));
        };
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public_roots(timeout: Duration) -> Redis {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Redis::new(config, timeout)
    }

    #[tokio::test]
    async fn a_closed_port_a_silent_server_or_a_bad_name_is_unreachable_never_a_refusal() {
        let redis = public_roots(Duration::from_millis(300));
        // Bound but never listening: the port stays ours, so nothing else can start answering on
        // it while the test runs (a dropped listener's port can be handed to a parallel test).
        let closed = tokio::net::TcpSocket::new_v4().unwrap();
        closed.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let port = closed.local_addr().unwrap().port();
        let refused = redis.accepts("127.0.0.1", port, "t").await.unwrap_err();
        assert!(
            matches!(&refused, TokenRejected::Unreachable(why) if why.contains("refused")),
            "{refused}"
        );
        // Accepts the connection, then says nothing: the TLS handshake never ends.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = silent.local_addr().unwrap().port();
        let held = tokio::spawn(async move { silent.accept().await });
        let waited = redis.accepts("localhost", port, "t").await.unwrap_err();
        assert_eq!(
            waited,
            TokenRejected::Unreachable(format!("localhost:{port}: no answer within 300ms"))
        );
        held.abort();
        let named = redis.accepts("not a host", 6379, "t").await.unwrap_err();
        assert!(
            matches!(&named, TokenRejected::Unreachable(why) if why.contains("not a host name")),
            "{named}"
        );
    }

    #[test]
    fn commands_are_arrays_of_bulk_strings() {
        assert_eq!(
            command(&["AUTH", "s3cret"]),
            b"*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n"
        );
        assert_eq!(command(&["PING"]), b"*1\r\n$4\r\nPING\r\n");
    }

    #[test]
    fn a_status_is_success_an_error_is_its_text() {
        assert_eq!(reply("+OK\r\n"), Ok(()));
        assert_eq!(reply("+PONG\r\n"), Ok(()));
        assert_eq!(
            reply("-WRONGPASS invalid username-password pair\r\n"),
            Err("WRONGPASS invalid username-password pair".to_owned())
        );
        assert_eq!(reply(""), Err("unexpected reply \"\"".to_owned()));
        assert_eq!(reply(":1\r\n"), Err("unexpected reply \":1\"".to_owned()));
    }
}
