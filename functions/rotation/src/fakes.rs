//! In-memory Secrets Manager and PostgreSQL for the protocol's unit tests: they keep the rules the
//! real services enforce that the protocol relies on, log every call, and fail any chosen call,
//! before or after its effect, to test crash safety. With `interleave` set, every call first yields
//! to the runtime a pseudo-random number of times, so steps run concurrently (`tokio::join!`)
//! interleave differently from one seed to the next.

use crate::cache::{CacheControl, Deployment, EcsService, GroupState, TokenCheck, TokenRejected};
use crate::config::PasswordPolicy;
use crate::database::{Database, DbError, Login, PairFacts, RoleFacts, Session};
use crate::secret::Password;
use crate::store::{
    SecretMetadata, SecretStore, Selector, VersionEntry, AWSCURRENT, AWSPENDING, AWSPREVIOUS,
};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;
use env_core::AwsCallError;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

pub const HOST: &str = "db.example";

#[derive(Debug, Clone, Default)]
pub struct Version {
    pub value: Option<String>,
    pub stages: Vec<String>,
    /// When it was created, on the world's clock.
    pub created: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Secret {
    pub rotation_enabled: bool,
    pub versions: BTreeMap<String, Version>,
}

#[derive(Debug, Clone, Default)]
pub struct Role {
    pub password: String,
    pub member_of: Vec<String>,
    /// `SUPERUSER`, `CREATEROLE` …
    pub attributes: Vec<String>,
}

/// A small deterministic pseudo-random generator (xorshift64*), so a failing seed replays.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A number below `bound`.
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let value = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33;
        (value % bound as u64) as usize
    }
}

/// Fail the call with this number (counted from 1 since the fault was set), before or after its effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub at: usize,
    pub after_effect: bool,
}

#[derive(Debug, Default)]
pub struct World {
    pub secrets: BTreeMap<String, Secret>,
    pub roles: BTreeMap<String, Role>,
    pub calls: Vec<String>,
    pub fault: Option<Fault>,
    pub counted: usize,
    pub generated: usize,
    /// Every connection attempt fails as if the server were down.
    pub unreachable: bool,
    /// Every statement but the catalog read fails (a master without the needed privileges).
    pub statements_fail: bool,
    /// Role → the privileges granted to it on objects (`CONNECT ON DATABASE catalog` …).
    pub privileges: BTreeMap<String, Vec<String>>,
    /// The clock that dates new versions.
    pub clock: u64,
    /// Yields before each call, for interleaving concurrent steps.
    pub interleave: Option<Rng>,
    /// The Redis replication group and its server, for the AUTH token's rotation.
    pub cache: FakeCache,
}

/// A replication group, its Redis server and the ECS service whose tasks hold its token.
#[derive(Debug, Clone, Default)]
pub struct FakeCache {
    /// Whether the group exists.
    pub exists: bool,
    /// The tokens the server takes, oldest first (ElastiCache keeps at most two).
    pub tokens: Vec<String>,
    /// A token added with ROTATE and how many more logins pass before the group applies it.
    pub applying: Option<(String, usize)>,
    /// How many logins a new token takes to be applied.
    pub apply_after: usize,
    /// The server does not answer.
    pub unreachable: bool,
    /// The service's deployments (creation time on the world's clock); `None`: no service.
    pub deployments: Option<Vec<Deployment>>,
    /// The next change is refused because a concurrent call just made the same one.
    pub concurrent_change: bool,
}

impl FakeCache {
    fn status(&self) -> GroupState {
        match self.applying {
            Some(_) => GroupState {
                status: "modifying".to_owned(),
                token_change: Some("ROTATING".to_owned()),
            },
            None => GroupState {
                status: "available".to_owned(),
                token_change: None,
            },
        }
    }

    /// Time passes: a token being applied gets one login closer to being taken.
    fn advance(&mut self) {
        match self.applying.take() {
            Some((token, 0)) => {
                self.tokens.push(token);
                if self.tokens.len() > 2 {
                    self.tokens.remove(0);
                }
            }
            Some((token, left)) => self.applying = Some((token, left - 1)),
            None => {}
        }
    }
}

pub fn aws_failure(operation: &'static str, status: u16, code: &str) -> AwsCallError {
    let metadata = ErrorMetadata::builder().code(code).message("fake").build();
    let response = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
    AwsCallError::new(operation, SdkError::service_error(metadata, response))
}

#[derive(Debug)]
enum Injected {
    Before,
    After,
}

impl World {
    /// Logs a call and says whether it is the one to fail.
    fn begin(&mut self, call: String) -> Option<Injected> {
        self.calls.push(call);
        let fault = self.fault?;
        self.counted += 1;
        match (self.counted == fault.at, fault.after_effect) {
            (true, false) => Some(Injected::Before),
            (true, true) => Some(Injected::After),
            _ => None,
        }
    }

    pub fn secret(&mut self, id: &str) -> &mut Secret {
        self.secrets.get_mut(id).expect("the fake secret exists")
    }

    pub fn calls_named(&self, prefix: &str) -> usize {
        self.calls.iter().filter(|c| c.starts_with(prefix)).count()
    }

    pub fn value_at(&self, id: &str, stage: &str) -> Option<String> {
        self.secrets[id]
            .versions
            .values()
            .find(|v| v.stages.iter().any(|s| s == stage))
            .and_then(|v| v.value.clone())
    }

    pub fn version_with(&self, id: &str, stage: &str) -> Option<String> {
        self.secrets[id]
            .versions
            .iter()
            .find(|(_, v)| v.stages.iter().any(|s| s == stage))
            .map(|(id, _)| id.clone())
    }

    /// What RotateSecret does before it calls the function: a version without a value, AWSPENDING.
    pub fn start_rotation(&mut self, id: &str, token: &str) {
        let created = self.tick();
        let secret = self.secret(id);
        remove_stage(secret, AWSPENDING);
        version_of(secret, token, created)
            .stages
            .push(AWSPENDING.to_owned());
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

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
}

/// The version `token`, created (dated `created`) if it does not exist.
fn version_of<'a>(secret: &'a mut Secret, token: &str, created: u64) -> &'a mut Version {
    secret
        .versions
        .entry(token.to_owned())
        .or_insert_with(|| Version {
            created,
            ..Version::default()
        })
}

fn remove_stage(secret: &mut Secret, stage: &str) {
    for version in secret.versions.values_mut() {
        version.stages.retain(|s| s != stage);
    }
}

#[derive(Debug, Clone, Default)]
pub struct Fakes(pub Arc<Mutex<World>>);

impl Fakes {
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.0.lock().unwrap()
    }

    /// Yields to the runtime a few times when interleaving, so a concurrent step may run between
    /// two calls of this one.
    async fn pause(&self) {
        let yields = {
            let mut world = self.world();
            world.interleave.as_mut().map_or(0, |rng| rng.below(3))
        };
        for _ in 0..yields {
            tokio::task::yield_now().await;
        }
    }

    fn aws<T>(
        &self,
        operation: &'static str,
        detail: String,
        effect: impl FnOnce(&mut World) -> Result<T, AwsCallError>,
    ) -> Result<T, AwsCallError> {
        let mut world = self.world();
        let injected = world.begin(format!("{operation} {detail}"));
        if let Some(Injected::Before) = injected {
            return Err(aws_failure(operation, 500, "InternalFailure"));
        }
        // A failure after the effect replaces whatever the call answered.
        let result = effect(&mut world);
        match injected {
            Some(_) => Err(aws_failure(operation, 500, "InternalFailure")),
            None => result,
        }
    }

    fn db<T>(
        &self,
        call: String,
        effect: impl FnOnce(&mut World) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut world = self.world();
        let injected = world.begin(call);
        let down = || DbError::Unreachable {
            host: HOST.to_owned(),
            port: 5432,
            source: "injected".into(),
        };
        if let Some(Injected::Before) = injected {
            return Err(down());
        }
        // A failure after the effect replaces whatever the call answered.
        let result = effect(&mut world);
        match injected {
            Some(_) => Err(down()),
            None => result,
        }
    }
}

impl SecretStore for Fakes {
    async fn describe(&self, secret_id: &str) -> Result<SecretMetadata, AwsCallError> {
        self.pause().await;
        self.aws("DescribeSecret", secret_id.to_owned(), |world| {
            let secret = world.secret(secret_id);
            Ok(SecretMetadata {
                rotation_enabled: secret.rotation_enabled,
                versions: secret
                    .versions
                    .iter()
                    .map(|(id, v)| (id.clone(), v.stages.clone()))
                    .collect(),
            })
        })
    }

    async fn value(
        &self,
        secret_id: &str,
        selector: Selector<'_>,
    ) -> Result<Option<String>, AwsCallError> {
        self.pause().await;
        self.aws(
            "GetSecretValue",
            format!("{secret_id} {selector:?}"),
            |world| {
                let secret = world.secret(secret_id);
                let version = match selector {
                    Selector::Stage(stage) => secret
                        .versions
                        .values()
                        .find(|v| v.stages.iter().any(|s| s == stage)),
                    Selector::Version(id) => secret.versions.get(id),
                };
                Ok(version.and_then(|v| v.value.clone()))
            },
        )
    }

    async fn versions(&self, secret_id: &str) -> Result<Vec<VersionEntry>, AwsCallError> {
        self.pause().await;
        self.aws("ListSecretVersionIds", secret_id.to_owned(), |world| {
            Ok(world
                .secret(secret_id)
                .versions
                .iter()
                .map(|(id, version)| VersionEntry {
                    id: id.clone(),
                    stages: version.stages.clone(),
                    created_nanos: i128::from(version.created),
                })
                .collect())
        })
    }

    async fn random_password(&self, policy: &PasswordPolicy) -> Result<Password, AwsCallError> {
        self.pause().await;
        let detail = format!(
            "{} {:?} {}",
            policy.length, policy.exclude_characters, policy.exclude_punctuation
        );
        self.aws("GetRandomPassword", detail, |world| {
            world.generated += 1;
            let separator = if policy.exclude_punctuation { "" } else { "-" };
            let stem = format!("generated{}{separator}", world.generated);
            Ok(Password::new(format!(
                "{stem:x<width$}",
                width = policy.length as usize
            )))
        })
    }

    async fn put_pending(
        &self,
        secret_id: &str,
        token: &str,
        value: &str,
    ) -> Result<(), AwsCallError> {
        self.pause().await;
        self.aws("PutSecretValue", format!("{secret_id} {token}"), |world| {
            let created = world.tick();
            let secret = world.secret(secret_id);
            if let Some(existing) = secret.versions.get(token).and_then(|v| v.value.as_ref()) {
                // Secrets Manager refuses to change a version's value.
                if existing != value {
                    return Err(aws_failure(
                        "PutSecretValue",
                        400,
                        "ResourceExistsException",
                    ));
                }
            }
            remove_stage(secret, AWSPENDING);
            let version = version_of(secret, token, created);
            version.value = Some(value.to_owned());
            version.stages.push(AWSPENDING.to_owned());
            Ok(())
        })
    }

    async fn move_stage(
        &self,
        secret_id: &str,
        stage: &str,
        to: Option<&str>,
        from: Option<&str>,
    ) -> Result<(), AwsCallError> {
        self.pause().await;
        let detail = format!("{secret_id} {stage} to {to:?} from {from:?}");
        self.aws("UpdateSecretVersionStage", detail, |world| {
            let secret = world.secret(secret_id);
            let holder = secret
                .versions
                .iter()
                .find(|(_, v)| v.stages.iter().any(|s| s == stage))
                .map(|(id, _)| id.clone());
            // Secrets Manager: the version holding the label must be named in RemoveFromVersionId,
            // and the version named there must hold it.
            let named_holder =
                holder.is_none() || holder.as_deref() == from || holder.as_deref() == to;
            if !named_holder || (from.is_some() && holder.as_deref() != from) {
                return Err(aws_failure(
                    "UpdateSecretVersionStage",
                    400,
                    "InvalidParameterException",
                ));
            }
            remove_stage(secret, stage);
            if let Some(to) = to {
                secret
                    .versions
                    .entry(to.to_owned())
                    .or_default()
                    .stages
                    .push(stage.to_owned());
            }
            if stage == AWSCURRENT {
                if let Some(from) = from.filter(|from| Some(*from) != to) {
                    remove_stage(secret, AWSPREVIOUS);
                    secret
                        .versions
                        .entry(from.to_owned())
                        .or_default()
                        .stages
                        .push(AWSPREVIOUS.to_owned());
                }
            }
            Ok(())
        })
    }
}

impl TokenCheck for Fakes {
    async fn accepts(&self, host: &str, port: u16, token: &str) -> Result<(), TokenRejected> {
        self.pause().await;
        let mut world = self.world();
        let injected = world.begin(format!("AUTH {host}:{port}"));
        world.cache.advance();
        if injected.is_some() || world.cache.unreachable {
            return Err(TokenRejected::Unreachable(format!(
                "{host}:{port}: injected"
            )));
        }
        if world.cache.tokens.iter().any(|taken| taken == token) {
            Ok(())
        } else {
            Err(TokenRejected::Refused(
                "AUTH: WRONGPASS invalid username-password pair".to_owned(),
            ))
        }
    }
}

impl CacheControl for Fakes {
    async fn group(&self, id: &str) -> Result<Option<GroupState>, AwsCallError> {
        self.pause().await;
        self.aws("DescribeReplicationGroups", id.to_owned(), |world| {
            Ok(world.cache.exists.then(|| world.cache.status()))
        })
    }

    async fn rotate_token(&self, id: &str, token: &str) -> Result<(), AwsCallError> {
        self.pause().await;
        self.aws("ModifyReplicationGroup", id.to_owned(), |world| {
            if std::mem::take(&mut world.cache.concurrent_change) {
                world.cache.applying = Some((token.to_owned(), world.cache.apply_after));
            }
            // ElastiCache: "The requested replication group is not in the available state."
            if world.cache.applying.is_some() {
                return Err(aws_failure(
                    "ModifyReplicationGroup",
                    400,
                    "InvalidReplicationGroupState",
                ));
            }
            world.cache.applying = Some((token.to_owned(), world.cache.apply_after));
            Ok(())
        })
    }

    async fn deployments(
        &self,
        service: &EcsService,
    ) -> Result<Option<Vec<Deployment>>, AwsCallError> {
        self.pause().await;
        self.aws("DescribeServices", service.service.clone(), |world| {
            Ok(world.cache.deployments.clone())
        })
    }

    async fn restart(&self, service: &EcsService) -> Result<(), AwsCallError> {
        self.pause().await;
        self.aws("UpdateService", service.service.clone(), |world| {
            let created = i128::from(world.tick());
            world.cache.deployments = Some(vec![Deployment {
                created_nanos: created,
            }]);
            Ok(())
        })
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
                if world.statements_fail {
                    return Err(refused("CREATE ROLE and GRANT on the database"));
                }
                if world.roles.contains_key(role) {
                    return Err(DbError::RoleExists {
                        role: role.to_owned(),
                    });
                }
                world.roles.insert(
                    role.to_owned(),
                    Role {
                        password: password.expose().to_owned(),
                        ..Role::default()
                    },
                );
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
                if world.statements_fail {
                    return Err(refused("CREATE ROLE and GRANT"));
                }
                if world.roles.contains_key(role) {
                    return Err(DbError::RoleExists {
                        role: role.to_owned(),
                    });
                }
                world.roles.insert(
                    role.to_owned(),
                    Role {
                        password: password.expose().to_owned(),
                        member_of: vec![member_of.to_owned()],
                        ..Role::default()
                    },
                );
                Ok(())
            })
    }
}
