//! The fake PostgreSQL server: its roles, their passwords, memberships and privileges, and the
//! sessions the protocol opens on it.

use super::{Fakes, World};
use crate::database::{Database, DbError, Login, PairFacts, RoleFacts, Session};
use crate::secret::Password;

pub const HOST: &str = "db.example";

#[derive(Debug, Clone, Default)]
pub struct Role {
    pub password: String,
    pub member_of: Vec<String>,
    /// `SUPERUSER`, `CREATEROLE` …
    pub attributes: Vec<String>,
}

impl World {
    /// Whether `role` is `member` or one of the roles `member` belongs to, directly or not.
    fn is_member(&self, member: &str, role: &str) -> bool {
        member == role
            || self.roles.get(member).is_some_and(|facts| {
                facts
                    .member_of
                    .iter()
                    .any(|parent| self.is_member(parent, role))
            })
    }

    pub fn logs_in(&self, user: &str, password: &str) -> bool {
        self.roles
            .get(user)
            .is_some_and(|role| role.password == password)
    }

    /// Adds `name` as CREATE ROLE does (`what` names the refused statements): refused to a master
    /// without the privileges, and for a role that exists.
    fn add_role(&mut self, what: &'static str, name: &str, role: Role) -> Result<(), DbError> {
        if self.statements_fail {
            return Err(refused(what));
        }
        if self.roles.contains_key(name) {
            return Err(DbError::RoleExists {
                role: name.to_owned(),
            });
        }
        self.roles.insert(name.to_owned(), role);
        Ok(())
    }
}

impl Database for Fakes {
    type Session = FakeSession;

    async fn connect(&self, login: Login<'_>) -> Result<FakeSession, DbError> {
        self.pause().await;
        self.db(format!("connect {}", login.username), |world| {
            if world.unreachable || login.host != HOST {
                return Err(DbError::Unreachable {
                    host: login.host.to_owned(),
                    port: login.port,
                    source: "no route".into(),
                });
            }
            if !world.logs_in(login.username, login.password.expose()) {
                return Err(DbError::LoginRejected {
                    host: login.host.to_owned(),
                    port: login.port,
                    username: login.username.to_owned(),
                    source: "password authentication failed".into(),
                });
            }
            Ok(FakeSession {
                fakes: self.clone(),
                user: login.username.to_owned(),
            })
        })
    }
}

#[derive(Debug)]
pub struct FakeSession {
    fakes: Fakes,
    user: String,
}

fn refused(what: &'static str) -> DbError {
    DbError::Failed {
        what,
        source: "permission denied".into(),
    }
}

impl Session for FakeSession {
    async fn check(&mut self) -> Result<(), DbError> {
        self.fakes.pause().await;
        self.fakes
            .db(format!("SELECT 1 as {}", self.user), |world| {
                if world.statements_fail {
                    return Err(refused("SELECT 1"));
                }
                Ok(())
            })
    }

    async fn role_pair(&mut self, base: &str, clone: &str) -> Result<PairFacts, DbError> {
        self.fakes.pause().await;
        self.fakes
            .db(format!("roles {base} {clone} as {}", self.user), |world| {
                // The catalog is readable by every user: `statements_fail` does not stop this.
                let facts = |role: &str| {
                    world.roles.get(role).map(|role| RoleFacts {
                        attributes: role.attributes.clone(),
                    })
                };
                let clone_roles = world
                    .roles
                    .get(clone)
                    .map(|role| role.member_of.clone())
                    .unwrap_or_default();
                Ok(PairFacts {
                    base: facts(base),
                    clone: facts(clone),
                    clone_in_base: world.roles.contains_key(base)
                        && clone_roles.iter().any(|role| role == base),
                    clone_extra_roles: clone_roles
                        .into_iter()
                        .filter(|role| !world.is_member(base, role))
                        .collect(),
                })
            })
    }

    async fn set_password(&mut self, role: &str, password: &Password) -> Result<(), DbError> {
        self.fakes.pause().await;
        self.fakes.db(
            format!("ALTER ROLE {role} as {}", self.user),
            |world| match world.roles.get_mut(role) {
                Some(existing) if !world.statements_fail => {
                    existing.password = password.expose().to_owned();
                    Ok(())
                }
                _ => Err(refused("ALTER ROLE")),
            },
        )
    }

    async fn create_user(
        &mut self,
        role: &str,
        password: &Password,
        dbname: &str,
    ) -> Result<(), DbError> {
        self.fakes.pause().await;
        self.fakes
            .db(format!("CREATE USER {role} ON {dbname}"), |world| {
                let user = Role {
                    password: password.expose().to_owned(),
                    ..Role::default()
                };
                world.add_role("CREATE ROLE and GRANT on the database", role, user)?;
                world.privileges.insert(
                    role.to_owned(),
                    vec![
                        format!("CONNECT ON DATABASE {dbname}"),
                        "USAGE, CREATE ON SCHEMA public".to_owned(),
                    ],
                );
                Ok(())
            })
    }

    async fn create_role(
        &mut self,
        role: &str,
        password: &Password,
        member_of: &str,
    ) -> Result<(), DbError> {
        self.fakes.pause().await;
        self.fakes
            .db(format!("CREATE ROLE {role} IN ROLE {member_of}"), |world| {
                let clone = Role {
                    password: password.expose().to_owned(),
                    member_of: vec![member_of.to_owned()],
                    ..Role::default()
                };
                world.add_role("CREATE ROLE and GRANT", role, clone)
            })
    }
}
