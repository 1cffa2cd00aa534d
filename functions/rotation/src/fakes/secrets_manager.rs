//! The fake Secrets Manager: a secret's versions and their staging labels, with the rules the
//! protocol relies on (a version's value never changes; a label moves only from the version named
//! as holding it).
//!
//! It implements the `secrets` crate's [`SecretVersions`] but stays the rotation function's own
//! rather than that crate's fake: it lives in the one [`World`] the fake PostgreSQL and ElastiCache
//! share, with one call log, one clock and one fault counter across the three services, which the
//! protocol's crash-safety tests need (a failure injected at any call of a step, whichever service
//! it goes to).

use super::{aws_failure, Fakes, World};
use crate::secret::Password;
use env_core::AwsCallError;
use secrets::versions::{
    SecretMetadata, SecretVersions, Selector, VersionEntry, AWSCURRENT, AWSPENDING, AWSPREVIOUS,
};
use secrets::PasswordRules;
use std::collections::BTreeMap;

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

impl World {
    pub fn secret(&mut self, id: &str) -> &mut Secret {
        self.secrets.get_mut(id).expect("the fake secret exists")
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

impl SecretVersions for Fakes {
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

    async fn random_password(&self, rules: &PasswordRules<'_>) -> Result<Password, AwsCallError> {
        self.pause().await;
        let detail = format!(
            "{} {:?} {}",
            rules.length, rules.exclude_characters, rules.exclude_punctuation
        );
        self.aws("GetRandomPassword", detail, |world| {
            world.generated += 1;
            let separator = if rules.exclude_punctuation { "" } else { "-" };
            let stem = format!("generated{}{separator}", world.generated);
            Ok(Password::new(format!(
                "{stem:x<width$}",
                width = rules.length as usize
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
