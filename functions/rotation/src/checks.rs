//! The checks every step makes before it logs in anywhere: each login goes to the server and the
//! database of the rotated secret's AWSCURRENT version, as a user the rotation is for. A version
//! that names another place would otherwise send its password there, or change a password there.

use crate::error::RotationError;
use crate::secret::Credentials;

/// `host:port/dbname`, for messages.
fn place(credentials: &Credentials) -> String {
    format!(
        "{}:{}/{}",
        credentials.host.as_deref().unwrap_or("(no host)"),
        credentials.port,
        credentials.dbname
    )
}

/// What differs between where `other` and `current` log in, if anything.
fn other_place(current: &Credentials, other: &Credentials) -> Option<String> {
    let same =
        other.host == current.host && other.port == current.port && other.dbname == current.dbname;
    (!same).then(|| {
        format!(
            "it is for {}, the current secret for {}",
            place(other),
            place(current)
        )
    })
}

/// The pending secret must be for `expected_user` on the current secret's server and database.
pub fn check_pending(
    current: &Credentials,
    pending: &Credentials,
    expected_user: &str,
) -> Result<(), RotationError> {
    if pending.username != expected_user {
        return Err(RotationError::PendingMismatch(format!(
            "it is for user {:?}, this rotation changes {expected_user:?}",
            pending.username
        )));
    }
    match other_place(current, pending) {
        Some(problem) => Err(RotationError::PendingMismatch(problem)),
        None => Ok(()),
    }
}

/// Another version's credentials are worth a login only when they are the current user's, on the
/// current server and database: anything else is not this secret's password for this user.
pub fn same_login(current: &Credentials, other: &Credentials) -> bool {
    other.username == current.username && other_place(current, other).is_none()
}

/// The master (already completed from the rotated secret) must log in to the same server and
/// database, and be neither of the two users it alters: a secret naming `<master>_clone` would
/// otherwise have the master change its own password and hand it to the application.
pub fn check_master(
    current: &Credentials,
    pending: &Credentials,
    master: &Credentials,
) -> Result<(), RotationError> {
    if let Some(problem) = other_place(current, master) {
        return Err(RotationError::MasterMismatch(problem));
    }
    if master.username == current.username || master.username == pending.username {
        return Err(RotationError::MasterMismatch(format!(
            "its user {:?} is one of the two users this rotation alternates ({:?} and {:?})",
            master.username, current.username, pending.username
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(text: &str) -> Credentials {
        Credentials::parse(text).unwrap()
    }

    const CURRENT: &str =
        r#"{"host":"db","port":5432,"dbname":"catalog","username":"app","password":"p0"}"#;

    #[test]
    fn a_pending_secret_must_name_the_same_host_port_database_and_the_expected_user() {
        let current = credentials(CURRENT);
        let same = credentials(
            r#"{"host":"db","port":5432,"dbname":"catalog","username":"app","password":"p1"}"#,
        );
        check_pending(&current, &same, "app").unwrap();
        for (pending, problem) in [
            (
                r#"{"host":"db","port":5432,"dbname":"catalog","username":"admin","password":"p1"}"#,
                "it is for user \"admin\", this rotation changes \"app\"",
            ),
            (
                r#"{"host":"db","port":6432,"dbname":"catalog","username":"app","password":"p1"}"#,
                "it is for db:6432/catalog, the current secret for db:5432/catalog",
            ),
            (
                r#"{"host":"db","port":5432,"dbname":"postgres","username":"app","password":"p1"}"#,
                "it is for db:5432/postgres, the current secret for db:5432/catalog",
            ),
            (
                r#"{"port":5432,"dbname":"catalog","username":"app","password":"p1"}"#,
                "it is for (no host):5432/catalog, the current secret for db:5432/catalog",
            ),
        ] {
            let error = check_pending(&current, &credentials(pending), "app").unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("the pending secret does not match the current one: {problem}")
            );
        }
    }

    #[test]
    fn only_the_same_user_on_the_same_server_and_database_is_the_same_login() {
        let current = credentials(CURRENT);
        assert!(same_login(
            &current,
            &credentials(r#"{"host":"db","dbname":"catalog","username":"app","password":"x"}"#)
        ));
        assert!(!same_login(
            &current,
            &credentials(r#"{"host":"db","dbname":"catalog","username":"other","password":"x"}"#)
        ));
        assert!(!same_login(
            &current,
            &credentials(
                r#"{"host":"db","port":1,"dbname":"catalog","username":"app","password":"x"}"#
            )
        ));
    }

    #[test]
    fn the_master_must_be_on_the_same_port_and_be_neither_rotated_user() {
        let current = credentials(CURRENT);
        let pending = credentials(
            r#"{"host":"db","port":5432,"dbname":"catalog","username":"app_clone","password":"p1"}"#,
        );
        let master = |text: &str| credentials(text).completed_from(&current);
        check_master(
            &current,
            &pending,
            &master(r#"{"username":"admin","password":"m"}"#),
        )
        .unwrap();
        let port = check_master(
            &current,
            &pending,
            &master(r#"{"username":"admin","password":"m","host":"db","port":6432}"#),
        )
        .unwrap_err();
        assert_eq!(
            port.to_string(),
            "the master secret does not fit the rotated secret: it is for db:6432/catalog, the current secret for db:5432/catalog"
        );
        for user in ["app", "app_clone"] {
            let error = check_master(
                &current,
                &pending,
                &master(&format!(r#"{{"username":"{user}","password":"m"}}"#)),
            )
            .unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("the master secret does not fit the rotated secret: its user {user:?} is one of the two users this rotation alternates (\"app\" and \"app_clone\")")
            );
        }
    }
}
