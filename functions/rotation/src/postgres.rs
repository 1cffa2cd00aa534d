//! The real [`Database`]: tokio-postgres over rustls, certificate verification always on.
//!
//! TLS is required (`sslmode=require` with a verifying connector, i.e. libpq's `verify-full`): a
//! server that answers the SSLRequest with `N` is refused before any credential is sent, and the
//! server certificate must chain to the configured CA bundle and name the host connected to.
//! Passwords reach the server only as SCRAM-SHA-256 verifiers, computed here (as psql's
//! `\password` does), so the plaintext never appears in a statement or a server log; identifiers
//! and literals are quoted by PostgreSQL's own `format('%I', '%L')` from bound parameters.

use crate::config::{CA_BUNDLE_ALLOWED, CA_BUNDLE_VAR};
use crate::database::{BoxError, Database, DbError, Login, PairFacts, RoleFacts, Session};
use crate::secret::Password;
use env_core::settings::Misconfigured;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, TrustAnchor};
use rustls::{ClientConfig, RootCertStore};
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio_postgres::config::SslMode;
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;
use tokio_postgres_rustls::MakeRustlsConnect;

/// What tokio-postgres says when a server answers the SSLRequest with `N` (connect_tls.rs).
const NO_TLS_MESSAGE: &str = "server does not support TLS";

/// A TLS client configuration trusting only the certificates of the PEM bundle at `path`.
pub fn tls_config(path: &Path) -> Result<ClientConfig, Misconfigured> {
    client_config(path, [])
}

/// A TLS client configuration trusting the certificates of the PEM bundle at `path` and `more`.
pub fn client_config(
    path: &Path,
    more: impl IntoIterator<Item = TrustAnchor<'static>>,
) -> Result<ClientConfig, Misconfigured> {
    // The path as `DB_CA_BUNDLE` gave it, and what is wrong with that file.
    let unusable = |problem: String| {
        let value = path.display().to_string();
        Misconfigured::new(
            CA_BUNDLE_VAR,
            Some(value),
            format!("{CA_BUNDLE_ALLOWED}; {problem}"),
        )
    };
    let certificates = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|error| unusable(format!("this one could not be read: {error}")))?;
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(certificates);
    if added == 0 {
        return Err(unusable(
            "this one holds no usable CA certificate".to_owned(),
        ));
    }
    roots.extend(more);
    // An explicit provider: the process-wide default panics when two providers are compiled in.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    prewarm_random(&provider);
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        // Fails only for a provider without TLS 1.2 and 1.3 cipher suites, which aws-lc-rs is not.
        .expect("aws-lc-rs supports TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// Seeds the provider's random generator on a thread of its own, now. AWS-LC seeds it from CPU
/// jitter the first time a process asks for randomness (its tree DRBG: tens of milliseconds of CPU,
/// once per process), and the first TLS handshake would otherwise wait for that; started here, at
/// cold start, it runs while the function loads its configuration and reads the secret. Each step
/// is a cold start in the benchmark, where the AWS endpoints are plain HTTP.
/// The thread says whether the generator gave bytes; the function does not wait for it (a failure
/// would fail the handshake as well, which reports it), a test does.
fn prewarm_random(provider: &Arc<rustls::crypto::CryptoProvider>) -> JoinHandle<bool> {
    let provider = Arc::clone(provider);
    std::thread::spawn(move || provider.secure_random.fill(&mut [0u8; 1]).is_ok())
}

/// Logs in to PostgreSQL servers over verified TLS.
#[derive(Clone)]
pub struct Postgres {
    tls: MakeRustlsConnect,
    connect_timeout: Duration,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}

impl Postgres {
    pub fn new(tls: ClientConfig, connect_timeout: Duration) -> Self {
        Self {
            tls: MakeRustlsConnect::new(tls),
            connect_timeout,
        }
    }
}

/// Sorts a failed login into what the protocol must tell apart: refused credentials (try others),
/// TLS problems and plaintext servers (never retried), and servers out of reach (retried).
fn login_failed(login: Login<'_>) -> impl FnOnce(tokio_postgres::Error) -> DbError + '_ {
    move |error| {
        let host = login.host.to_owned();
        let port = login.port;
        let tls = error.to_string() == "error performing TLS handshake";
        let cause = std::error::Error::source(&error).map(ToString::to_string);
        match error.code() {
            Some(code)
                if *code == SqlState::INVALID_PASSWORD
                    || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
            {
                DbError::LoginRejected {
                    host,
                    port,
                    username: login.username.to_owned(),
                    source: Box::new(error),
                }
            }
            Some(_) => DbError::Failed {
                what: "login",
                source: Box::new(error),
            },
            None if tls && cause.as_deref() == Some(NO_TLS_MESSAGE) => {
                DbError::PlaintextRefused { host, port }
            }
            None if tls => DbError::Tls {
                host,
                port,
                source: Box::new(error),
            },
            None => DbError::Unreachable {
                host,
                port,
                source: Box::new(error),
            },
        }
    }
}

fn timed_out(login: Login<'_>, timeout: Duration) -> DbError {
    DbError::Timeout {
        host: login.host.to_owned(),
        port: login.port,
        seconds: timeout.as_secs(),
    }
}

impl Database for Postgres {
    type Session = PgSession;

    async fn connect(&self, login: Login<'_>) -> Result<PgSession, DbError> {
        let mut config = tokio_postgres::Config::new();
        config
            .host(login.host)
            .port(login.port)
            .dbname(login.dbname)
            .user(login.username)
            .password(login.password.expose())
            .ssl_mode(SslMode::Require)
            .connect_timeout(self.connect_timeout)
            .application_name("secrets-manager-rotation");
        // The whole login, not only the TCP connect, is bounded: a server that accepts and then
        // says nothing must not hold the Lambda until its own timeout.
        let connecting = config.connect(self.tls.clone());
        let (client, connection) = tokio::time::timeout(self.connect_timeout, connecting)
            .await
            .map_err(|_| timed_out(login, self.connect_timeout))?
            .map_err(login_failed(login))?;
        // The connection task ends when the client is dropped; its errors surface on the client.
        tokio::spawn(connection);
        Ok(PgSession { client })
    }
}

/// A logged-in tokio-postgres client.
#[derive(Debug)]
pub struct PgSession {
    client: Client,
}

fn failed(what: &'static str) -> impl FnOnce(tokio_postgres::Error) -> DbError {
    move |error| DbError::Failed {
        what,
        source: BoxError::from(error),
    }
}

impl PgSession {
    /// Builds a statement with PostgreSQL's own quoting (`%I` identifiers, `%L` literals) from bound
    /// parameters, so no value is ever spliced into SQL text by this code.
    async fn formatted(
        &self,
        what: &'static str,
        template: &str,
        values: &[&str],
    ) -> Result<String, DbError> {
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = values
            .iter()
            .map(|value| value as &(dyn tokio_postgres::types::ToSql + Sync))
            .collect();
        let placeholders: Vec<String> = (1..=values.len()).map(|n| format!("${n}::text")).collect();
        let query = format!("SELECT format('{template}', {})", placeholders.join(", "));
        let row = self
            .client
            .query_one(&query, &params)
            .await
            .map_err(failed(what))?;
        Ok(row.get(0))
    }
}

/// The facts of [`PairFacts`] about `$1` (the base user) and `$2` (its clone), in one round trip.
/// A role that does not exist reads as NULL attributes.
const ROLE_PAIR_QUERY: &str = "\
WITH r AS (
  SELECT oid, rolname::text AS name, array_remove(ARRAY[
    CASE WHEN rolsuper THEN 'SUPERUSER' END,
    CASE WHEN rolcreaterole THEN 'CREATEROLE' END,
    CASE WHEN rolcreatedb THEN 'CREATEDB' END,
    CASE WHEN rolreplication THEN 'REPLICATION' END,
    CASE WHEN rolbypassrls THEN 'BYPASSRLS' END], NULL)::text[] AS attributes
  FROM pg_catalog.pg_roles WHERE rolname IN ($1::text, $2::text)),
b AS (SELECT * FROM r WHERE name = $1::text),
c AS (SELECT * FROM r WHERE name = $2::text)
SELECT
  (SELECT attributes FROM b),
  (SELECT attributes FROM c),
  EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m, b, c WHERE m.roleid = b.oid AND m.member = c.oid),
  ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_auth_members m
        JOIN c ON m.member = c.oid
        JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
        WHERE NOT EXISTS (SELECT 1 FROM b WHERE pg_catalog.pg_has_role(b.oid, m.roleid, 'MEMBER'))
        ORDER BY 1)";

/// CREATE ROLE of a role that exists fails with duplicate_object, or, when another session creates
/// it at the same moment, with unique_violation on pg_authid's name index: the protocol tells that
/// apart from other failures. A plain function, not a closure: the sessions' async methods are
/// compiled into every crate that drives them, and the decision is then counted in one place.
fn create_failed(what: &'static str, role: &str, error: tokio_postgres::Error) -> DbError {
    match error.code() {
        Some(code)
            if *code == SqlState::DUPLICATE_OBJECT || *code == SqlState::UNIQUE_VIOLATION =>
        {
            DbError::RoleExists {
                role: role.to_owned(),
            }
        }
        _ => failed(what)(error),
    }
}

/// The SCRAM-SHA-256 verifier of a password: what the server stores, never the password itself.
fn verifier(password: &Password) -> String {
    postgres_protocol::password::scram_sha_256(password.expose().as_bytes())
}

impl Session for PgSession {
    async fn check(&mut self) -> Result<(), DbError> {
        let row = self
            .client
            .query_one("SELECT 1::int4", &[])
            .await
            .map_err(failed("SELECT 1"))?;
        let one: i32 = row.get(0);
        debug_assert_eq!(one, 1);
        Ok(())
    }

    async fn role_pair(&mut self, base: &str, clone: &str) -> Result<PairFacts, DbError> {
        let row = self
            .client
            .query_one(ROLE_PAIR_QUERY, &[&base, &clone])
            .await
            .map_err(failed("reading the roles"))?;
        let facts =
            |attributes: Option<Vec<String>>| attributes.map(|attributes| RoleFacts { attributes });
        Ok(PairFacts {
            base: facts(row.get(0)),
            clone: facts(row.get(1)),
            clone_in_base: row.get(2),
            clone_extra_roles: row.get(3),
        })
    }

    async fn set_password(&mut self, role: &str, password: &Password) -> Result<(), DbError> {
        let statement = self
            .formatted(
                "ALTER ROLE",
                "ALTER ROLE %I WITH PASSWORD %L",
                &[role, &verifier(password)],
            )
            .await;
        // The `?` shares its line with the binding: llvm-cov reports a method's lines from its
        // best-covered copy (one per caller that drives it), and the copy a cut connection fails
        // in (tests/tests/integration/rotation/sessions.rs) is not the one rotations succeed in.
        let statement = statement?;
        self.client
            .batch_execute(&statement)
            .await
            .map_err(failed("ALTER ROLE"))
    }

    async fn create_user(
        &mut self,
        role: &str,
        password: &Password,
        dbname: &str,
    ) -> Result<(), DbError> {
        // One simple query, one implicit transaction (as in `create_role`): a user without its
        // privileges is never left behind.
        let statements = self
            .formatted(
                "CREATE ROLE",
                "CREATE ROLE %I WITH LOGIN PASSWORD %L; GRANT CONNECT ON DATABASE %I TO %I; GRANT USAGE, CREATE ON SCHEMA public TO %I",
                &[role, &verifier(password), dbname, role, role],
            )
            .await;
        let statements = statements?;
        self.client
            .batch_execute(&statements)
            .await
            .map_err(|error| create_failed("CREATE ROLE and GRANT on the database", role, error))
    }

    async fn create_role(
        &mut self,
        role: &str,
        password: &Password,
        member_of: &str,
    ) -> Result<(), DbError> {
        // Two statements in one simple query run in one implicit transaction (PostgreSQL docs,
        // "Multiple Statements in a Simple Query"): both happen or neither.
        let statements = self
            .formatted(
                "CREATE ROLE",
                "CREATE ROLE %I WITH LOGIN PASSWORD %L; GRANT %I TO %I",
                &[role, &verifier(password), member_of, role],
            )
            .await;
        let statements = statements?;
        self.client
            .batch_execute(&statements)
            .await
            .map_err(|error| create_failed("CREATE ROLE and GRANT", role, error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_random_generator_is_seeded_on_a_thread_of_its_own() {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        // Joined here so the seeding is observed, not left to race the end of the test process.
        assert!(prewarm_random(&provider).join().unwrap());
    }
}
