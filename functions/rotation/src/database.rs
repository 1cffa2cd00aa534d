//! The PostgreSQL operations of the rotation protocol, behind a small trait so the protocol's rules
//! are tested against an in-memory fake; [`crate::postgres::Postgres`] is the real one.

use crate::secret::Password;
use env_core::{ErrorName, NamedError};
use std::future::Future;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Where and as whom to log in.
#[derive(Debug, Clone, Copy)]
pub struct Login<'a> {
    pub host: &'a str,
    pub port: u16,
    pub dbname: &'a str,
    pub username: &'a str,
    pub password: &'a Password,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The server answered and refused these credentials (SQLSTATE 28P01 or 28000).
    #[error("PostgreSQL at {host}:{port} refused the login of {username:?}")]
    LoginRejected {
        host: String,
        port: u16,
        username: String,
        #[source]
        source: BoxError,
    },
    #[error("PostgreSQL at {host}:{port} answered the SSLRequest without TLS: refusing to send credentials in plaintext")]
    PlaintextRefused { host: String, port: u16 },
    #[error("the TLS connection to PostgreSQL at {host}:{port} failed (the server certificate must chain to the configured CA bundle and name {host:?})")]
    Tls {
        host: String,
        port: u16,
        #[source]
        source: BoxError,
    },
    #[error("PostgreSQL at {host}:{port} could not be reached")]
    Unreachable {
        host: String,
        port: u16,
        #[source]
        source: BoxError,
    },
    #[error("PostgreSQL at {host}:{port} did not complete the login within {seconds} s")]
    Timeout {
        host: String,
        port: u16,
        seconds: u64,
    },
    /// CREATE ROLE found the role already there (SQLSTATE 42710): a concurrent setSecret of the same
    /// rotation made it first, or someone else did; the caller checks which.
    #[error("role {role:?} already exists")]
    RoleExists { role: String },
    #[error("{what} failed")]
    Failed {
        what: &'static str,
        #[source]
        source: BoxError,
    },
}

impl DbError {
    pub fn is_login_rejected(&self) -> bool {
        matches!(self, DbError::LoginRejected { .. })
    }
}

impl NamedError for DbError {
    fn error_name(&self) -> ErrorName {
        match self {
            DbError::Unreachable { .. } | DbError::Timeout { .. } => ErrorName::Retryable,
            _ => ErrorName::ComponentFailed,
        }
    }
}

/// What PostgreSQL says about one role: the attributes that reach beyond the role's own objects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleFacts {
    /// Among `SUPERUSER`, `CREATEROLE`, `CREATEDB`, `REPLICATION` and `BYPASSRLS`, those it has.
    pub attributes: Vec<String>,
}

/// What PostgreSQL says about the two users of the alternating strategy, read in one query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairFacts {
    /// `None` when the role does not exist.
    pub base: Option<RoleFacts>,
    pub clone: Option<RoleFacts>,
    /// The clone is a direct member of the base (`GRANT base TO clone`).
    pub clone_in_base: bool,
    /// The roles the clone is a direct member of that the base is not a member of (directly or
    /// not): privileges the clone would have beyond the base's.
    pub clone_extra_roles: Vec<String>,
}

pub trait Database {
    type Session: Session + Send;

    /// Connects over verified TLS and logs in.
    fn connect(
        &self,
        login: Login<'_>,
    ) -> impl Future<Output = Result<Self::Session, DbError>> + Send;
}

/// A logged-in connection.
pub trait Session {
    /// A query that proves the login works.
    fn check(&mut self) -> impl Future<Output = Result<(), DbError>> + Send;

    /// The facts about `base` and `clone` (pg_roles and pg_auth_members, readable by every user).
    fn role_pair(
        &mut self,
        base: &str,
        clone: &str,
    ) -> impl Future<Output = Result<PairFacts, DbError>> + Send;

    /// `ALTER ROLE <role> WITH PASSWORD …`.
    fn set_password(
        &mut self,
        role: &str,
        password: &Password,
    ) -> impl Future<Output = Result<(), DbError>> + Send;

    /// The application's user on first use, atomically: `CREATE ROLE <role> WITH LOGIN PASSWORD …`,
    /// `GRANT CONNECT ON DATABASE <dbname>` and `GRANT USAGE, CREATE ON SCHEMA public`, what the
    /// application needs to connect and to create and use its tables.
    fn create_user(
        &mut self,
        role: &str,
        password: &Password,
        dbname: &str,
    ) -> impl Future<Output = Result<(), DbError>> + Send;

    /// `CREATE ROLE <role> WITH LOGIN PASSWORD …` and `GRANT <member_of> TO <role>`, atomically, so
    /// a crash between them cannot leave a clone without the current user's privileges.
    fn create_role(
        &mut self,
        role: &str,
        password: &Password,
        member_of: &str,
    ) -> impl Future<Output = Result<(), DbError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreachable_servers_and_timeouts_are_retried() {
        let unreachable = DbError::Unreachable {
            host: "h".into(),
            port: 1,
            source: "refused".into(),
        };
        assert_eq!(unreachable.error_name(), ErrorName::Retryable);
        let timeout = DbError::Timeout {
            host: "h".into(),
            port: 1,
            seconds: 5,
        };
        assert_eq!(timeout.error_name(), ErrorName::Retryable);
        assert_eq!(
            timeout.to_string(),
            "PostgreSQL at h:1 did not complete the login within 5 s"
        );
        let plaintext = DbError::PlaintextRefused {
            host: "h".into(),
            port: 1,
        };
        assert_eq!(plaintext.error_name(), ErrorName::ComponentFailed);
        assert!(!plaintext.is_login_rejected());
    }
}
