//! [`SecretCalls`] in memory, for the unit tests of every secret owner: the secrets made, with their
//! value, key, tags, policy and rotation, answering as Secrets Manager answers
//! (ResourceNotFoundException, ResourceExistsException, InvalidRequestException on a secret
//! scheduled for deletion or managed by another service) and recording every call in the
//! function's shared [`SharedRecorder`], where a test also injects faults.

use super::{
    NewSecret, PasswordRules, Rotation, RotationRequest, Secret, SecretCalls, SecretValue,
};
use env_core::error::{aws_failure, aws_failure_with_message, AwsCallError};
use env_core::recorder::SharedRecorder;
use env_core::tags::Tag;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Secrets Manager's refusal of a name a deleted secret still holds.
const NAME_SCHEDULED_FOR_DELETION: &str =
    "You can't create this secret because a secret with this name is already scheduled for deletion.";

/// The ARN of the `made`-th secret of this name: the first ends in `-AbCdEf`, later ones in other
/// characters.
fn arn_of(name: &str, made: usize) -> String {
    let suffix = match made {
        1 => "AbCdEf".to_owned(),
        later => format!("AbCd{later:02}"),
    };
    format!("arn:aws:secretsmanager:us-west-2:123456789012:secret:{name}-{suffix}")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSecret {
    pub arn: String,
    pub description: String,
    /// `None` for a secret under the account's `aws/secretsmanager` key.
    pub kms_key_arn: Option<String>,
    /// The `AWSCURRENT` value.
    pub value: SecretValue,
    pub tags: Vec<Tag>,
    /// The resource policy, once one was put.
    pub policy: Option<String>,
    pub rotation: Rotation,
    pub scheduled_for_deletion: bool,
    /// The service that manages the secret (`rds` for a master secret RDS made), which alone may
    /// change its value.
    pub owning_service: Option<&'static str>,
    /// A version other than `AWSCURRENT`'s still labelled `AWSPENDING` by a rotation that did not
    /// finish (one started at once while [`Store::rotations_fail`], or set by hand as a rotation
    /// step racing a turn-off would leave it): RotateSecret is refused while it is there.
    pub pending_left: bool,
}

impl StoredSecret {
    fn described(&self) -> Secret {
        Secret {
            arn: self.arn.clone(),
            kms_key_id: self.kms_key_arn.clone(),
            rotation: self.rotation.clone(),
            scheduled_for_deletion: self.scheduled_for_deletion,
        }
    }
}

/// What the fake Secrets Manager holds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Store {
    /// The secrets by name.
    pub secrets: BTreeMap<String, StoredSecret>,
    /// How many secrets of each name were made: a name made again gets another ARN, as AWS's six
    /// random characters after the name make it (Secrets Manager API reference, CreateSecret, ARN).
    pub made: BTreeMap<String, usize>,
    /// A deletion without recovery leaves the name held until the next CreateSecret of it, which
    /// it refuses once, as Secrets Manager does while its background deletion runs (API reference,
    /// DeleteSecret, ForceDeleteWithoutRecovery).
    pub forced_deletions_linger: bool,
    /// Names a deletion without recovery still holds.
    pub held: Vec<String>,
    /// The passwords GetRandomPassword handed out.
    pub passwords_generated: usize,
    /// Every DeleteSecret that succeeded: (name, without recovery).
    pub deletions: Vec<(String, bool)>,
    /// A rotation started at once fails in its function: no `LastRotatedDate` follows.
    pub rotations_fail: bool,
}

impl Store {
    /// The secret `id` names (its name or ARN), as `operation` finds it: ResourceNotFoundException
    /// without one, InvalidRequestException while it is scheduled for deletion unless the call
    /// may see such a secret.
    fn find(
        &mut self,
        operation: &'static str,
        id: &str,
        deleted_too: bool,
    ) -> Result<(&String, &mut StoredSecret), AwsCallError> {
        let (name, secret) = self
            .secrets
            .iter_mut()
            .find(|(name, secret)| *name == id || secret.arn == id)
            .ok_or_else(|| aws_failure(operation, "ResourceNotFoundException"))?;
        if secret.scheduled_for_deletion && !deleted_too {
            return Err(aws_failure_with_message(
                operation,
                "InvalidRequestException",
                "You can't perform this operation on the secret because it was marked for deletion.",
            ));
        }
        Ok((name, secret))
    }
}

#[derive(Debug, Clone, Default)]
pub struct FakeSecrets {
    recorder: SharedRecorder,
    store: Arc<Mutex<Store>>,
}

impl FakeSecrets {
    /// Secrets whose calls land in `recorder`.
    pub fn new(recorder: SharedRecorder) -> Self {
        Self {
            recorder,
            store: Arc::default(),
        }
    }

    /// What the fake holds, to read or to change by hand as someone outside the function would.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .expect("no test panics while holding the secrets")
    }

    /// A secret another service made and manages, as RDS makes a cluster's master secret
    /// (`ManageMasterUserPassword`) and rotates it every 7 days itself (RDS user guide, "Password
    /// management with Amazon RDS and AWS Secrets Manager"); its ARN.
    pub fn add_managed(&self, name: &str, owning_service: &'static str, value: &str) -> String {
        let arn = arn_of(name, 1);
        let secret = StoredSecret {
            arn: arn.clone(),
            description: format!("Secret managed by {owning_service}"),
            kms_key_arn: None,
            value: SecretValue::new(value),
            tags: Vec::new(),
            policy: None,
            rotation: Rotation {
                enabled: true,
                days: Some(7),
                lambda_arn: None,
                rotated: false,
            },
            scheduled_for_deletion: false,
            owning_service: Some(owning_service),
            pending_left: false,
        };
        self.store().secrets.insert(name.to_owned(), secret);
        arn
    }

    /// Records a call that changes the secret `id`; hands the secret to `change` when the call
    /// succeeds, and records the change when `change` does.
    fn change(
        &self,
        operation: &'static str,
        id: &str,
        deleted_too: bool,
        change: impl FnOnce(&mut StoredSecret) -> Result<(), AwsCallError>,
    ) -> Result<(), AwsCallError> {
        self.recorder.lock().call(operation)?;
        let mut store = self.store();
        let (_, secret) = store.find(operation, id, deleted_too)?;
        change(secret)?;
        self.recorder.lock().changes.push(operation);
        Ok(())
    }
}

/// Secrets Manager's refusal to change a secret another service manages other than through it
/// (API reference, InvalidRequestException: "The secret is managed by another service, and you
/// must use that service to update it").
fn managed_by(owner: &str, operation: &'static str) -> AwsCallError {
    let message = if owner == "rds" {
        "You can't modify a secret that is managed by rds. Use that service to update it."
    } else {
        "You can't modify a secret that is managed by another service. Use that service to update it."
    };
    aws_failure_with_message(operation, "InvalidRequestException", message)
}

/// The characters GetRandomPassword draws from: the printable ASCII ones but the space, less those
/// the rules exclude.
fn alphabet(rules: &PasswordRules<'_>) -> Vec<char> {
    ('!'..='~')
        .filter(|c| !rules.exclude_characters.contains(*c))
        .filter(|c| !(rules.exclude_punctuation && c.is_ascii_punctuation()))
        .collect()
}

impl SecretCalls for FakeSecrets {
    async fn describe(&self, id: &str) -> Result<Option<Secret>, AwsCallError> {
        self.recorder.lock().call("DescribeSecret")?;
        let mut store = self.store();
        Ok(store
            .find("DescribeSecret", id, true)
            .ok()
            .map(|(_, secret)| secret.described()))
    }

    async fn random_password(
        &self,
        rules: &PasswordRules<'_>,
    ) -> Result<SecretValue, AwsCallError> {
        self.recorder.lock().call("GetRandomPassword")?;
        let mut store = self.store();
        store.passwords_generated += 1;
        let seed = store.passwords_generated;
        let alphabet = alphabet(rules);
        let password: String = (0..rules.length as usize)
            .map(|i| alphabet[(i * 7 + seed * 13) % alphabet.len()])
            .collect();
        Ok(SecretValue::new(password))
    }

    async fn create(&self, secret: &NewSecret) -> Result<String, AwsCallError> {
        self.recorder.lock().call("CreateSecret")?;
        let mut store = self.store();
        if let Some(held) = store.held.iter().position(|name| *name == secret.name) {
            store.held.remove(held);
            return Err(super::deletion_not_finished(aws_failure_with_message(
                "CreateSecret",
                "InvalidRequestException",
                NAME_SCHEDULED_FOR_DELETION,
            )));
        }
        if let Some(existing) = store.secrets.get(&secret.name) {
            return Err(if existing.scheduled_for_deletion {
                super::deletion_not_finished(aws_failure_with_message(
                    "CreateSecret",
                    "InvalidRequestException",
                    NAME_SCHEDULED_FOR_DELETION,
                ))
            } else {
                aws_failure("CreateSecret", "ResourceExistsException")
            });
        }
        let made = store.made.entry(secret.name.clone()).or_default();
        *made += 1;
        let arn = arn_of(&secret.name, *made);
        let stored = StoredSecret {
            arn: arn.clone(),
            description: secret.description.clone(),
            kms_key_arn: Some(secret.kms_key_arn.clone()),
            value: secret.value.clone(),
            tags: secret.tags.clone(),
            policy: None,
            rotation: Rotation::default(),
            scheduled_for_deletion: false,
            owning_service: None,
            pending_left: false,
        };
        store.secrets.insert(secret.name.clone(), stored);
        self.recorder.lock().changes.push("CreateSecret");
        Ok(arn)
    }

    async fn current_value(&self, id: &str) -> Result<Option<SecretValue>, AwsCallError> {
        self.recorder.lock().call("GetSecretValue")?;
        let mut store = self.store();
        let (_, secret) = store.find("GetSecretValue", id, false)?;
        Ok(Some(secret.value.clone()))
    }

    async fn put_value(&self, id: &str, value: &SecretValue) -> Result<(), AwsCallError> {
        self.change("PutSecretValue", id, false, |secret| {
            if let Some(owner) = secret.owning_service {
                return Err(managed_by(owner, "PutSecretValue"));
            }
            secret.value = value.clone();
            Ok(())
        })
    }

    async fn put_policy(&self, id: &str, policy: &str) -> Result<(), AwsCallError> {
        self.change("PutResourcePolicy", id, false, |secret| {
            secret.policy = Some(policy.to_owned());
            Ok(())
        })
    }

    async fn restore(&self, id: &str) -> Result<(), AwsCallError> {
        self.change("RestoreSecret", id, true, |secret| {
            secret.scheduled_for_deletion = false;
            Ok(())
        })
    }

    async fn delete(&self, id: &str, without_recovery: bool) -> Result<(), AwsCallError> {
        self.recorder.lock().call("DeleteSecret")?;
        let mut store = self.store();
        // A secret already scheduled for deletion can only be deleted at once; deleting at once
        // one already gone answers no ResourceNotFoundException (API reference, DeleteSecret,
        // ForceDeleteWithoutRecovery).
        let (name, secret) = match store.find("DeleteSecret", id, without_recovery) {
            Err(error) if without_recovery && error.is_code("ResourceNotFoundException") => {
                return Ok(());
            }
            found => found?,
        };
        if let Some(owner) = secret.owning_service {
            return Err(managed_by(owner, "DeleteSecret"));
        }
        let name = name.clone();
        secret.scheduled_for_deletion = true;
        if without_recovery {
            store.secrets.remove(&name);
            if store.forced_deletions_linger {
                store.held.push(name.clone());
            }
        }
        store.deletions.push((name, without_recovery));
        self.recorder.lock().changes.push("DeleteSecret");
        Ok(())
    }

    async fn rotate(&self, id: &str, request: &RotationRequest<'_>) -> Result<(), AwsCallError> {
        let rotations_fail = self.store().rotations_fail;
        self.change("RotateSecret", id, false, |secret| {
            let lambda_arn = request
                .lambda_arn
                .map(str::to_owned)
                .or_else(|| secret.rotation.lambda_arn.clone());
            if let (Some(owner), Some(_)) = (secret.owning_service, request.lambda_arn) {
                return Err(managed_by(owner, "RotateSecret"));
            }
            if lambda_arn.is_none() && secret.owning_service.is_none() {
                return Err(aws_failure_with_message(
                    "RotateSecret",
                    "InvalidRequestException",
                    "No Lambda rotation function ARN is associated with this secret.",
                ));
            }
            // An unfinished rotation's AWSPENDING beside AWSCURRENT's version: "any later
            // invocation of RotateSecret assumes that a previous rotation request is still in
            // progress and returns an error" (Secrets Manager API reference, RotateSecret).
            if secret.pending_left {
                return Err(super::rotation_in_progress(aws_failure_with_message(
                    "RotateSecret",
                    "InvalidRequestException",
                    "A previous rotation isn't complete. That rotation will be reattempted.",
                )));
            }
            let rotated = request.immediately && !rotations_fail;
            secret.rotation = Rotation {
                enabled: true,
                days: Some(request.days),
                lambda_arn,
                rotated: secret.rotation.rotated || rotated,
            };
            secret.pending_left = request.immediately && rotations_fail;
            Ok(())
        })
    }

    async fn cancel_rotation(&self, id: &str) -> Result<(), AwsCallError> {
        self.change("CancelRotateSecret", id, false, |secret| {
            // Without a function there is no rotation to turn off (Secrets Manager API reference,
            // CancelRotateSecret, InvalidRequestException); the function and the schedule stay.
            if secret.rotation.lambda_arn.is_none() {
                return Err(aws_failure_with_message(
                    "CancelRotateSecret",
                    "InvalidRequestException",
                    "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured and you didn't include such an ARN as a parameter in this call.",
                ));
            }
            secret.rotation.enabled = false;
            Ok(())
        })
    }

    async fn pending_left(&self, id: &str) -> Result<bool, AwsCallError> {
        self.recorder.lock().call("DescribeSecret")?;
        let mut store = self.store();
        let (_, secret) = store.find("DescribeSecret", id, true)?;
        Ok(secret.pending_left)
    }

    async fn drop_pending_left(&self, id: &str) -> Result<(), AwsCallError> {
        if self.pending_left(id).await? {
            self.change("UpdateSecretVersionStage", id, false, |secret| {
                secret.pending_left = false;
                Ok(())
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
