//! Single user: finding the password the database has when no labelled version logs in.
//!
//! A rotation that stopped after setSecret has given the database the pending password. If a person
//! then removes its AWSPENDING label, as the CancelRotateSecret documentation advises for a stuck
//! rotation, that password sits in a version without labels, and neither the current nor the
//! previous credentials log in. Secrets Manager keeps such versions (it removes unlabelled versions
//! only beyond 100 and after a day, "Secrets Manager quotas"), so the newest ones are read and tried.

use crate::checks::same_login;
use crate::database::{Database, Login};
use crate::error::RotationError;
use crate::secret::{Credentials, Password};
use secrets::versions::{SecretVersions, Selector, VersionEntry};

/// Versions read, and logins tried, at most: the newest ones not tried already.
///
/// Each setSecret gives the database the password of the version it was called for, and only the
/// AWSPENDING version is called for, so the password the database has is that of the newest
/// abandoned version that reached setSecret: normally the first one read. Five covers a few
/// abandoned attempts in a row, while a secret whose user's password was changed by hand does not
/// turn into a run of failed logins (each is an authentication failure in the server's log, which
/// brute-force monitoring watches) and the step stays far inside the Lambda's 30 s.
pub const RECOVERY_VERSIONS: usize = 5;

/// The entries to try, newest first, without `skip`. The service does not document its order and
/// its dates have whole seconds in moto; versions created in the same second are taken in reverse
/// listing order, as moto (like AWS in practice) lists the oldest first.
fn newest_first(listing: Vec<VersionEntry>, skip: &[Option<&str>]) -> Vec<VersionEntry> {
    let mut entries: Vec<VersionEntry> = listing
        .into_iter()
        .rev()
        .filter(|entry| !skip.contains(&Some(entry.id.as_str())))
        .collect();
    entries.sort_by_key(|entry| std::cmp::Reverse(entry.created_nanos));
    entries.truncate(RECOVERY_VERSIONS);
    entries
}

/// Logs in as `current`'s user with the password of one of the secret's newest versions other than
/// those in `skip`, skipping the passwords in `tried`. `Ok(None)` when none logs in.
pub async fn find_login<S: SecretVersions, D: Database>(
    store: &S,
    database: &D,
    secret_id: &str,
    current: &Credentials,
    skip: &[Option<&str>],
    tried: &mut Vec<Password>,
) -> Result<Option<D::Session>, RotationError> {
    let candidates = newest_first(store.versions(secret_id).await?, skip);
    for entry in candidates {
        let Some(text) = store.value(secret_id, Selector::Version(&entry.id)).await? else {
            continue;
        };
        // A version that is not these credentials (hand-written, another user) is simply not the one.
        let Ok(candidate) = Credentials::parse(&text) else {
            continue;
        };
        if !same_login(current, &candidate) || tried.contains(&candidate.password) {
            continue;
        }
        let login = Login {
            host: current.host.as_deref().unwrap_or_default(),
            port: current.port,
            dbname: &current.dbname,
            username: &current.username,
            password: &candidate.password,
        };
        match database.connect(login).await {
            Ok(session) => {
                tracing::warn!(
                    "logged in with the password of a version outside AWSCURRENT and AWSPREVIOUS \
                     (a rotation abandoned after setSecret); setting the pending one"
                );
                return Ok(Some(session));
            }
            Err(error) if error.is_login_rejected() => tried.push(candidate.password),
            Err(error) => return Err(error.into()),
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, created_nanos: i128) -> VersionEntry {
        VersionEntry {
            id: id.to_owned(),
            stages: vec![],
            created_nanos,
        }
    }

    #[test]
    fn the_five_newest_untried_versions_are_taken_newest_first_and_ties_by_reverse_listing() {
        let listing = vec![
            entry("a", 1),
            entry("b", 3),
            entry("c", 3),
            entry("d", 2),
            entry("current", 9),
            entry("e", 5),
            entry("f", 0),
            entry("g", 0),
        ];
        let ids: Vec<String> = newest_first(listing, &[Some("current"), None])
            .into_iter()
            .map(|entry| entry.id)
            .collect();
        assert_eq!(ids, ["e", "c", "b", "d", "a"]);
    }
}
