//! Alternating users: the proof, from PostgreSQL's catalog, that the two roles are the
//! application's user (the base) and the clone this function made of it, before either's password
//! is set, or either's credentials are tested or promoted.
//!
//! The clone this function creates is `CREATE ROLE <clone> WITH LOGIN PASSWORD …` and
//! `GRANT <base> TO <clone>`: a direct member of the base, with no attribute and no role the base
//! does not have. A role of that name that is anything else belongs to someone else (whose login
//! this function would take over), or would hand the application more than its own privileges.
//! Neither user may be a superuser or hold CREATEROLE: those are administrators, not application
//! users (the master of an RDS cluster has CREATEROLE).

use crate::database::PairFacts;
use crate::error::RotationError;

/// Attributes that make a role an administrator rather than an application user.
const ADMINISTRATIVE: [&str; 2] = ["SUPERUSER", "CREATEROLE"];

fn not_ours(role: &str, problem: String) -> RotationError {
    RotationError::NotOurRole {
        role: role.to_owned(),
        problem,
    }
}

/// Refuses unless `base` and `clone` are an application user and its clone as this function makes
/// them. `target` is the one whose password the rotation sets: the clone may be missing (the first
/// rotation creates it), but the base is altered only when its clone exists and shows the pair.
pub fn verify(
    base: &str,
    clone: &str,
    facts: &PairFacts,
    target: &str,
) -> Result<(), RotationError> {
    let base_attributes = facts
        .base
        .as_ref()
        .map(|base| base.attributes.as_slice())
        .unwrap_or_default();
    if let Some(attribute) = base_attributes
        .iter()
        .find(|attribute| ADMINISTRATIVE.contains(&attribute.as_str()))
    {
        return Err(not_ours(
            base,
            format!("it has {attribute}: this function rotates application users only"),
        ));
    }
    let Some(clone_facts) = &facts.clone else {
        if target == base {
            return Err(not_ours(
                base,
                format!("its clone {clone:?} does not exist, so nothing shows it is this rotation's user"),
            ));
        }
        return Ok(());
    };
    if facts.base.is_none() {
        return Err(not_ours(
            clone,
            format!("its base user {base:?} does not exist"),
        ));
    }
    if !facts.clone_in_base {
        return Err(not_ours(
            clone,
            format!("it is not a member of {base:?}, so it is not the clone this function creates"),
        ));
    }
    if let Some(attribute) = clone_facts.attributes.iter().find(|attribute| {
        ADMINISTRATIVE.contains(&attribute.as_str()) || !base_attributes.contains(attribute)
    }) {
        return Err(not_ours(
            clone,
            format!("it has {attribute}, beyond what {base:?} has"),
        ));
    }
    if !facts.clone_extra_roles.is_empty() {
        return Err(not_ours(
            clone,
            format!(
                "it is a member of {:?}, beyond what {base:?} has",
                facts.clone_extra_roles
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::RoleFacts;

    fn role(attributes: &[&str]) -> Option<RoleFacts> {
        Some(RoleFacts {
            attributes: attributes.iter().map(|a| a.to_string()).collect(),
        })
    }

    fn ours() -> PairFacts {
        PairFacts {
            base: role(&["CREATEDB"]),
            clone: role(&[]),
            clone_in_base: true,
            clone_extra_roles: vec![],
        }
    }

    #[test]
    fn the_clone_this_function_makes_passes_for_either_user() {
        verify("app", "app_clone", &ours(), "app_clone").unwrap();
        verify("app", "app_clone", &ours(), "app").unwrap();
        let same_as_base = PairFacts {
            clone: role(&["CREATEDB"]),
            ..ours()
        };
        verify("app", "app_clone", &same_as_base, "app").unwrap();
    }

    #[test]
    fn a_missing_clone_may_be_created_but_a_base_without_its_clone_is_not_altered() {
        let first_use = PairFacts::default();
        verify("app", "app_clone", &first_use, "app_clone").unwrap();
        let no_clone = PairFacts {
            clone: None,
            clone_in_base: false,
            ..ours()
        };
        verify("app", "app_clone", &no_clone, "app_clone").unwrap();
        let error = verify("app", "app_clone", &no_clone, "app").unwrap_err();
        assert_eq!(
            error.to_string(),
            "role \"app\" is not one this rotation may use: its clone \"app_clone\" does not exist, so nothing shows it is this rotation's user"
        );
    }

    #[test]
    fn every_way_a_role_is_not_ours_is_refused_with_the_role_named() {
        for (facts, role, problem) in [
            (
                PairFacts {
                    base: role(&["CREATEROLE", "CREATEDB"]),
                    ..ours()
                },
                "app",
                "it has CREATEROLE: this function rotates application users only",
            ),
            (
                PairFacts {
                    base: role(&["SUPERUSER"]),
                    clone: None,
                    ..ours()
                },
                "app",
                "it has SUPERUSER: this function rotates application users only",
            ),
            (
                PairFacts {
                    base: None,
                    ..ours()
                },
                "app_clone",
                "its base user \"app\" does not exist",
            ),
            (
                PairFacts {
                    clone_in_base: false,
                    ..ours()
                },
                "app_clone",
                "it is not a member of \"app\", so it is not the clone this function creates",
            ),
            (
                PairFacts {
                    clone: role(&["CREATEROLE"]),
                    ..ours()
                },
                "app_clone",
                "it has CREATEROLE, beyond what \"app\" has",
            ),
            (
                PairFacts {
                    clone: role(&["BYPASSRLS"]),
                    ..ours()
                },
                "app_clone",
                "it has BYPASSRLS, beyond what \"app\" has",
            ),
            (
                PairFacts {
                    clone_extra_roles: vec!["pg_read_all_data".to_owned()],
                    ..ours()
                },
                "app_clone",
                "it is a member of [\"pg_read_all_data\"], beyond what \"app\" has",
            ),
        ] {
            for target in ["app", "app_clone"] {
                let error = verify("app", "app_clone", &facts, target).unwrap_err();
                assert_eq!(
                    error.to_string(),
                    format!("role {role:?} is not one this rotation may use: {problem}"),
                    "{facts:?}"
                );
                assert_eq!(
                    env_core::NamedError::error_name(&error),
                    env_core::ErrorName::ComponentFailed
                );
            }
        }
    }
}
