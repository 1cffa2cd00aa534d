//! The machine's PostgreSQL (127.0.0.1:5432) for the rotation tests: a throwaway database and roles
//! per test, unique names so tests run in parallel, dropped when the test ends (even by a panic).
//!
//! The server trusts local logins; the roles made here join the group role
//! `rotation_test_password_auth`, whose members `.ci/postgres-password-auth` (run by .ci/run as root)
//! makes log in with scram-sha-256 passwords, so a wrong password really fails.

use std::sync::atomic::{AtomicU32, Ordering};
use tokio_postgres::{Client, NoTls};

/// The group whose members must log in with their password (see `.ci/postgres-password-auth`).
pub const PASSWORD_AUTH_GROUP: &str = "rotation_test_password_auth";
/// The server's self-signed certificate, for `localhost`: the test CA.
pub const TEST_CA: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
pub const HOST: &str = "localhost";
pub const PORT: u16 = 5432;

/// The superuser the harness (and the emulator's Aurora stand-in) sets things up as: trust auth
/// over TCP, test setup only.
pub const SUPERUSER: &str = "host=127.0.0.1 port=5432 user=postgres dbname=postgres";

/// One emulator at a time may map Aurora to this server (the database function's names are
/// fixed): the tests that launch one hold this while it lives. A test that failed holding it
/// leaves it usable.
pub fn stand_in() -> std::sync::MutexGuard<'static, ()> {
    static STAND_IN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    STAND_IN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The superuser connection the harness sets things up with.
pub async fn superuser() -> Client {
    let (client, connection) = tokio_postgres::connect(SUPERUSER, NoTls)
        .await
        .expect("PostgreSQL answers at 127.0.0.1:5432 as postgres");
    tokio::spawn(connection);
    client
}

/// Quotes an identifier for the harness's own setup statements.
pub fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// A database and roles that belong to one test.
#[derive(Debug)]
pub struct Scratch {
    pub prefix: String,
    pub dbname: String,
    roles: Vec<String>,
}

impl Scratch {
    /// A new database `<prefix>`; fails clearly when password authentication is not set up.
    pub async fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let prefix = format!(
            "rot_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let admin = superuser().await;
        let rules = admin
            .query_one(
                "SELECT count(*) FROM pg_hba_file_rules WHERE $1 = ANY(user_name) AND auth_method = 'scram-sha-256' AND error IS NULL",
                &[&format!("+{PASSWORD_AUTH_GROUP}")],
            )
            .await
            .expect("pg_hba_file_rules is readable");
        let count: i64 = rules.get(0);
        assert!(
            count > 0,
            "PostgreSQL does not ask {PASSWORD_AUTH_GROUP}'s members for passwords: run `bash .ci/postgres-password-auth` as root (.ci/run does)"
        );
        admin
            .batch_execute(&format!("CREATE DATABASE {}", quote(&prefix)))
            .await
            .expect("the test database is created");
        Self {
            dbname: prefix.clone(),
            prefix,
            roles: Vec::new(),
        }
    }

    /// A login role with a password that must be given (a member of the password group).
    pub async fn role(&mut self, name: &str, password: &str, options: &str) -> String {
        let admin = superuser().await;
        let statement = format!(
            "CREATE ROLE {role} WITH LOGIN {options} PASSWORD '{password}'; GRANT {group} TO {role}",
            role = quote(name),
            password = password.replace('\'', "''"),
            group = PASSWORD_AUTH_GROUP,
        );
        admin
            .batch_execute(&statement)
            .await
            .expect("the test role is created");
        self.drop_role_later(name);
        name.to_owned()
    }

    /// A role the code under test may create (the clone), dropped at the end if it exists.
    pub fn drop_role_later(&mut self, name: &str) {
        self.roles.insert(0, name.to_owned());
    }

    /// The stored SCRAM verifier of a role: it changes whenever its password is set again.
    pub async fn verifier(&self, role: &str) -> Option<String> {
        superuser()
            .await
            .query_opt(
                "SELECT rolpassword FROM pg_authid WHERE rolname = $1",
                &[&role],
            )
            .await
            .expect("pg_authid is readable")
            .and_then(|row| row.get(0))
    }

    /// Whether `member` is granted `role`.
    pub async fn is_member(&self, member: &str, role: &str) -> bool {
        superuser()
            .await
            .query_one("SELECT pg_has_role($1, $2, 'MEMBER')", &[&member, &role])
            .await
            .expect("pg_has_role answers")
            .get(0)
    }

    pub async fn role_exists(&self, role: &str) -> bool {
        self.verifier(role).await.is_some()
            || superuser()
                .await
                .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&role])
                .await
                .expect("pg_roles is readable")
                .is_some()
    }

    /// Sets a role's password behind the rotation's back (a database out of step with its secret).
    pub async fn set_password(&self, role: &str, password: &str) {
        superuser()
            .await
            .batch_execute(&format!(
                "ALTER ROLE {} PASSWORD '{}'",
                quote(role),
                password.replace('\'', "''")
            ))
            .await
            .expect("the password is set");
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let dbname = self.dbname.clone();
        let roles = self.roles.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on: clean up on a thread of
        // its own with its own runtime.
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the cleanup");
            runtime.block_on(async move {
                let admin = superuser().await;
                let mut statements =
                    format!("DROP DATABASE IF EXISTS {} WITH (FORCE);", quote(&dbname));
                for role in &roles {
                    statements.push_str(&format!("DROP ROLE IF EXISTS {};", quote(role)));
                }
                for statement in statements.split_inclusive(';') {
                    // Each on its own: DROP DATABASE cannot run inside a multi-statement transaction.
                    let _ = admin.batch_execute(statement).await;
                }
            });
        });
        let _ = cleanup.join();
    }
}
