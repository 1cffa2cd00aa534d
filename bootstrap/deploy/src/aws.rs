//! [`Cloud`] with the AWS SDK: one SDK call (or one short sequence) per method.

use super::api::{Cloud, FunctionState, MachineState, Result, RoleState, ScheduleState};
use super::settle;
use anyhow::Context;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, Environment, FunctionCode, Runtime};
use aws_sdk_scheduler::types::{FlexibleTimeWindow, FlexibleTimeWindowMode, Target};
use env_core::error::{aws_error, found, Required};
use iam_roles::{RoleCalls, Roles};
use serde_json::Value;
use std::collections::BTreeMap;

/// Enough for the slowest component call (an Aurora or ElastiCache create answers within seconds;
/// the waiting is the state machine's), far below Lambda's 900-second maximum.
const FUNCTION_TIMEOUT_SECONDS: i32 = 120;
const FUNCTION_MEMORY_MB: i32 = 256;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    sts: aws_sdk_sts::Client,
    s3: aws_sdk_s3::Client,
    iam: aws_sdk_iam::Client,
    roles: Roles,
    lambda: aws_sdk_lambda::Client,
    sfn: aws_sdk_sfn::Client,
    scheduler: aws_sdk_scheduler::Client,
    ec2: aws_sdk_ec2::Client,
    region: String,
}

impl AwsCloud {
    pub fn new(config: &aws_config::SdkConfig, region: &str) -> Self {
        // S3 on an emulator's single endpoint needs path-style addressing; AWS accepts it too.
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build();
        Self {
            sts: aws_sdk_sts::Client::new(config),
            s3: aws_sdk_s3::Client::from_conf(s3),
            iam: aws_sdk_iam::Client::new(config),
            roles: Roles::new(config),
            lambda: aws_sdk_lambda::Client::new(config),
            sfn: aws_sdk_sfn::Client::new(config),
            scheduler: aws_sdk_scheduler::Client::new(config),
            ec2: aws_sdk_ec2::Client::new(config),
            region: region.to_owned(),
        }
    }
}

/// A policy document IAM answered (URL-encoded, or plain from an emulator), as JSON.
fn policy_document(encoded: &str) -> Result<Value> {
    iam_roles::decoded_document(encoded).context("a policy document that is not JSON")
}

impl Cloud for AwsCloud {
    async fn account(&self) -> Result<String> {
        let identity = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(aws_error("GetCallerIdentity"))?;
        let account = identity
            .account()
            .required("GetCallerIdentityResponse.Account")?;
        Ok(account.to_owned())
    }

    async fn bucket_exists(&self, bucket: &str) -> Result<bool> {
        let head = self.s3.head_bucket().bucket(bucket).send().await;
        let head = head.map_err(aws_error("HeadBucket"));
        let head = found(head, &["NotFound", "NoSuchBucket"])?;
        Ok(head.is_some())
    }

    async fn create_bucket(&self, bucket: &str) -> Result<()> {
        let location = aws_sdk_s3::types::BucketLocationConstraint::from(self.region.as_str());
        self.s3
            .create_bucket()
            .bucket(bucket)
            .create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(location)
                    .build(),
            )
            .send()
            .await
            .map_err(aws_error("CreateBucket"))?;
        // Nothing in it is public, ever (S3 user guide, "Blocking public access to your Amazon S3 storage").
        self.s3
            .put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(
                aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .map_err(aws_error("PutPublicAccessBlock"))?;
        Ok(())
    }

    async fn object_exists(&self, bucket: &str, key: &str) -> Result<bool> {
        let head = self.s3.head_object().bucket(bucket).key(key).send().await;
        let head = head.map_err(aws_error("HeadObject"));
        let head = found(head, &["NotFound", "NoSuchKey"])?;
        Ok(head.is_some())
    }

    async fn put_object(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<()> {
        self.s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(body.into())
            .send()
            .await
            .map_err(aws_error("PutObject"))?;
        Ok(())
    }

    async fn delete_bucket(&self, bucket: &str) -> Result<bool> {
        if !self.bucket_exists(bucket).await? {
            return Ok(false);
        }
        let listed = self
            .s3
            .list_objects_v2()
            .bucket(bucket)
            .send()
            .await
            .map_err(aws_error("ListObjectsV2"))?;
        // The bucket holds one object per rotation package deployed: far below a page of 1,000.
        for object in listed.contents() {
            self.s3
                .delete_object()
                .bucket(bucket)
                .key(object.key().required("Object.Key")?)
                .send()
                .await
                .map_err(aws_error("DeleteObject"))?;
        }
        self.s3
            .delete_bucket()
            .bucket(bucket)
            .send()
            .await
            .map_err(aws_error("DeleteBucket"))?;
        Ok(true)
    }

    async fn role(&self, name: &str) -> Result<Option<RoleState>> {
        let role = self.iam.get_role().role_name(name).send().await;
        let Some(role) = found(role.map_err(aws_error("GetRole")), &["NoSuchEntity"])? else {
            return Ok(None);
        };
        let trust = role
            .role()
            .and_then(|role| role.assume_role_policy_document())
            .unwrap_or("{}");
        let trust = policy_document(trust)?;
        let policy = self
            .iam
            .get_role_policy()
            .role_name(name)
            .policy_name(name)
            .send()
            .await;
        let policy = policy.map_err(aws_error("GetRolePolicy"));
        let policy = found(policy, &["NoSuchEntity"])?;
        let policy = policy
            .map(|policy| policy_document(policy.policy_document()))
            .transpose()?;
        Ok(Some(RoleState { trust, policy }))
    }

    async fn create_role(&self, name: &str, trust: &Value) -> Result<()> {
        let description = "catalog-environments backend (envctl deploy)";
        self.roles
            .create(name, description, &trust.to_string(), &[])
            .await?;
        Ok(())
    }

    async fn update_trust(&self, name: &str, trust: &Value) -> Result<()> {
        self.iam
            .update_assume_role_policy()
            .role_name(name)
            .policy_document(trust.to_string())
            .send()
            .await
            .map_err(aws_error("UpdateAssumeRolePolicy"))?;
        Ok(())
    }

    async fn put_role_policy(&self, name: &str, policy: &Value) -> Result<()> {
        // One inline policy per role, named after it.
        self.roles
            .put_policy(name, name, &policy.to_string())
            .await?;
        Ok(())
    }

    async fn delete_role(&self, name: &str) -> Result<bool> {
        if self.role(name).await?.is_none() {
            return Ok(false);
        }
        // IAM refuses to delete a role that still has inline policies (DeleteRole, "DeleteConflict");
        // a role without its policy (a deploy that stopped between the two) answers NoSuchEntity.
        let detached = self.roles.delete_policy(name, name).await;
        found(detached, &["NoSuchEntity"])?;
        self.roles.delete(name).await?;
        Ok(true)
    }

    async fn managed_policy(&self, arn: &str) -> Result<Option<Value>> {
        let got = self.iam.get_policy().policy_arn(arn).send().await;
        let Some(got) = found(got.map_err(aws_error("GetPolicy")), &["NoSuchEntity"])? else {
            return Ok(None);
        };
        let version = got
            .policy()
            .and_then(|policy| policy.default_version_id())
            .context("IAM answered GetPolicy without a default version")?;
        let document = self
            .iam
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
            .map_err(aws_error("GetPolicyVersion"))?;
        let encoded = document
            .policy_version()
            .and_then(|version| version.document())
            .context("IAM answered GetPolicyVersion without a document")?;
        Ok(Some(policy_document(encoded)?))
    }

    async fn create_managed_policy(&self, name: &str, document: &Value) -> Result<()> {
        self.iam
            .create_policy()
            .policy_name(name)
            .description("catalog-environments: the most any role of an environment may do")
            .policy_document(document.to_string())
            .send()
            .await
            .map_err(aws_error("CreatePolicy"))?;
        Ok(())
    }

    async fn update_managed_policy(&self, arn: &str, document: &Value) -> Result<()> {
        let others = self.policy_versions(arn).await?;
        // IAM keeps at most five versions of a managed policy (IAM user guide, "Versioning IAM
        // policies"): make room by deleting the oldest one that is not the default.
        let room = match others.first() {
            Some(oldest) if others.len() >= 4 => self
                .iam
                .delete_policy_version()
                .policy_arn(arn)
                .version_id(oldest)
                .send()
                .await
                .map(|_| ()),
            _ => Ok(()),
        };
        room.map_err(aws_error("DeletePolicyVersion"))?;
        self.iam
            .create_policy_version()
            .policy_arn(arn)
            .policy_document(document.to_string())
            .set_as_default(true)
            .send()
            .await
            .map_err(aws_error("CreatePolicyVersion"))?;
        Ok(())
    }

    async fn delete_managed_policy(&self, arn: &str) -> Result<bool> {
        if self.managed_policy(arn).await?.is_none() {
            return Ok(false);
        }
        // IAM deletes a policy only without its other versions (DeletePolicy).
        for version in self.policy_versions(arn).await? {
            self.iam
                .delete_policy_version()
                .policy_arn(arn)
                .version_id(version)
                .send()
                .await
                .map_err(aws_error("DeletePolicyVersion"))?;
        }
        self.iam
            .delete_policy()
            .policy_arn(arn)
            .send()
            .await
            .map_err(aws_error("DeletePolicy"))?;
        Ok(true)
    }

    async fn function(&self, name: &str) -> Result<Option<FunctionState>> {
        let got = self.lambda.get_function().function_name(name).send().await;
        let got = got.map_err(aws_error("GetFunction"));
        let Some(got) = found(got, &["ResourceNotFoundException"])? else {
            return Ok(None);
        };
        let configuration = got
            .configuration()
            .required("GetFunctionResponse.Configuration")?;
        // Lambda leaves Environment out of the answer of a function that has no variables.
        let environment: BTreeMap<String, String> = configuration
            .environment()
            .and_then(|e| e.variables())
            .map(|variables| variables.clone().into_iter().collect())
            .unwrap_or_default();
        Ok(Some(FunctionState {
            role_arn: configuration
                .role()
                .required("FunctionConfiguration.Role")?
                .to_owned(),
            architecture: configuration
                .architectures()
                .first()
                .map_or("x86_64", Architecture::as_str)
                .to_owned(),
            code_sha256: configuration
                .code_sha256()
                .required("FunctionConfiguration.CodeSha256")?
                .to_owned(),
            environment,
        }))
    }

    async fn create_function(&self, name: &str, state: &FunctionState, zip: Vec<u8>) -> Result<()> {
        let zip = &zip;
        // The function's role was made moments ago by this deploy.
        settle::while_role_propagates(settle::ROLE_PROPAGATION, || async move {
            self.lambda
                .create_function()
                .function_name(name)
                // Rust on Lambda: the OS-only runtime, the executable named bootstrap (Lambda
                // developer guide, "Building Lambda functions with Rust").
                .runtime(Runtime::Providedal2023)
                .handler("bootstrap")
                .role(&state.role_arn)
                .architectures(Architecture::from(state.architecture.as_str()))
                .timeout(FUNCTION_TIMEOUT_SECONDS)
                .memory_size(FUNCTION_MEMORY_MB)
                .environment(environment(state))
                .code(
                    FunctionCode::builder()
                        .zip_file(Blob::new(zip.clone()))
                        .build(),
                )
                .send()
                .await
                .map_err(aws_error("CreateFunction"))
        })
        .await?;
        Ok(())
    }

    async fn update_code(&self, name: &str, architecture: &str, zip: Vec<u8>) -> Result<()> {
        self.lambda
            .update_function_code()
            .function_name(name)
            .architectures(Architecture::from(architecture))
            .zip_file(Blob::new(zip))
            .send()
            .await
            .map_err(aws_error("UpdateFunctionCode"))?;
        // A configuration change right after would be refused while the code update runs.
        self.until_updated(name).await
    }

    async fn update_configuration(&self, name: &str, state: &FunctionState) -> Result<()> {
        settle::while_role_propagates(settle::ROLE_PROPAGATION, || async move {
            self.lambda
                .update_function_configuration()
                .function_name(name)
                .role(&state.role_arn)
                .environment(environment(state))
                .send()
                .await
                .map_err(aws_error("UpdateFunctionConfiguration"))
        })
        .await?;
        self.until_updated(name).await
    }

    async fn delete_function(&self, name: &str) -> Result<bool> {
        let deleted = self
            .lambda
            .delete_function()
            .function_name(name)
            .send()
            .await;
        let deleted = deleted.map_err(aws_error("DeleteFunction"));
        let deleted = found(deleted, &["ResourceNotFoundException"])?;
        Ok(deleted.is_some())
    }

    async fn state_machine(&self, arn: &str) -> Result<Option<MachineState>> {
        let described = self
            .sfn
            .describe_state_machine()
            .state_machine_arn(arn)
            .send()
            .await;
        let described = described.map_err(aws_error("DescribeStateMachine"));
        let described = found(described, &["StateMachineDoesNotExist"])?;
        Ok(described.map(|machine| MachineState {
            definition: machine.definition().to_owned(),
            role_arn: machine.role_arn().to_owned(),
        }))
    }

    async fn create_state_machine(&self, name: &str, state: &MachineState) -> Result<()> {
        settle::while_role_propagates(settle::ROLE_PROPAGATION, || async move {
            self.sfn
                .create_state_machine()
                .name(name)
                .definition(&state.definition)
                .role_arn(&state.role_arn)
                .r#type(aws_sdk_sfn::types::StateMachineType::Standard)
                .send()
                .await
                .map_err(aws_error("CreateStateMachine"))
        })
        .await?;
        Ok(())
    }

    async fn update_state_machine(&self, arn: &str, state: &MachineState) -> Result<()> {
        settle::while_role_propagates(settle::ROLE_PROPAGATION, || async move {
            self.sfn
                .update_state_machine()
                .state_machine_arn(arn)
                .definition(&state.definition)
                .role_arn(&state.role_arn)
                .send()
                .await
                .map_err(aws_error("UpdateStateMachine"))
        })
        .await?;
        Ok(())
    }

    async fn delete_state_machine(&self, arn: &str) -> Result<bool> {
        if self.state_machine(arn).await?.is_none() {
            return Ok(false);
        }
        self.sfn
            .delete_state_machine()
            .state_machine_arn(arn)
            .send()
            .await
            .map_err(aws_error("DeleteStateMachine"))?;
        Ok(true)
    }

    async fn schedule(&self, name: &str) -> Result<Option<ScheduleState>> {
        let got = self.scheduler.get_schedule().name(name).send().await;
        let got = got.map_err(aws_error("GetSchedule"));
        let Some(schedule) = found(got, &["ResourceNotFoundException"])? else {
            return Ok(None);
        };
        let target = schedule.target().required("GetScheduleResponse.Target")?;
        let expression = schedule
            .schedule_expression()
            .required("GetScheduleResponse.ScheduleExpression")?;
        Ok(Some(ScheduleState {
            expression: expression.to_owned(),
            target_arn: target.arn().to_owned(),
            role_arn: target.role_arn().to_owned(),
        }))
    }

    async fn create_schedule(&self, name: &str, state: &ScheduleState) -> Result<()> {
        let (window, target) = (&off()?, &target(state)?);
        settle::while_role_propagates(settle::ROLE_PROPAGATION, || async move {
            self.scheduler
                .create_schedule()
                .name(name)
                .schedule_expression(&state.expression)
                .flexible_time_window(window.clone())
                .target(target.clone())
                .send()
                .await
                .map_err(aws_error("CreateSchedule"))
        })
        .await?;
        Ok(())
    }

    async fn update_schedule(&self, name: &str, state: &ScheduleState) -> Result<()> {
        // UpdateSchedule replaces every field (EventBridge Scheduler API reference, UpdateSchedule).
        let (window, target) = (&off()?, &target(state)?);
        settle::while_role_propagates(settle::ROLE_PROPAGATION, || async move {
            self.scheduler
                .update_schedule()
                .name(name)
                .schedule_expression(&state.expression)
                .flexible_time_window(window.clone())
                .target(target.clone())
                .send()
                .await
                .map_err(aws_error("UpdateSchedule"))
        })
        .await?;
        Ok(())
    }

    async fn delete_schedule(&self, name: &str) -> Result<bool> {
        let deleted = self.scheduler.delete_schedule().name(name).send().await;
        let deleted = deleted.map_err(aws_error("DeleteSchedule"));
        let deleted = found(deleted, &["ResourceNotFoundException"])?;
        Ok(deleted.is_some())
    }

    async fn environments(&self) -> Result<Vec<String>> {
        envctl_common::tagged::environment_suffixes(&self.ec2).await
    }
}

impl AwsCloud {
    /// Waits until Lambda has applied the function's last update (see [`settle`]).
    async fn until_updated(&self, name: &str) -> Result<()> {
        settle::until_updated(name, settle::FUNCTION_UPDATE, || async {
            let got = self
                .lambda
                .get_function()
                .function_name(name)
                .send()
                .await
                .map_err(aws_error("GetFunction"))?;
            let configuration = got.configuration();
            Ok(settle::UpdateStatus::from_lambda(
                configuration
                    .and_then(|c| c.last_update_status())
                    .map(|status| status.as_str()),
                configuration.and_then(|c| c.last_update_status_reason()),
            ))
        })
        .await
    }

    /// The ids of a managed policy's versions other than the default, oldest first.
    async fn policy_versions(&self, arn: &str) -> Result<Vec<String>> {
        let listed = self
            .iam
            .list_policy_versions()
            .policy_arn(arn)
            .send()
            .await
            .map_err(aws_error("ListPolicyVersions"))?;
        let mut versions: Vec<_> = listed
            .versions()
            .iter()
            .filter(|version| !version.is_default_version())
            .filter_map(|version| {
                let id = version.version_id()?;
                // Versions made within one second are told apart by their number (`v10`
                // after `v9`), not by the id's text; an id not of IAM's form `v<N>` sorts first.
                let number: Option<u64> = id.trim_start_matches('v').parse().ok();
                Some(((version.create_date()?.secs(), number), id.to_owned()))
            })
            .collect();
        versions.sort();
        Ok(versions.into_iter().map(|(_, id)| id).collect())
    }
}

fn environment(state: &FunctionState) -> Environment {
    Environment::builder()
        .set_variables(Some(state.environment.clone().into_iter().collect()))
        .build()
}

fn off() -> Result<FlexibleTimeWindow> {
    Ok(FlexibleTimeWindow::builder()
        .mode(FlexibleTimeWindowMode::Off)
        .build()?)
}

fn target(state: &ScheduleState) -> Result<Target> {
    Ok(Target::builder()
        .arn(&state.target_arn)
        .role_arn(&state.role_arn)
        .input("{}")
        .build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_policy_documents_are_decoded() {
        let value = policy_document("%7B%22a%22%3A%20%22b%25%22%7D").unwrap();
        assert_eq!(value, serde_json::json!({"a": "b%"}));
        assert_eq!(policy_document("{\"c\": \"%zz\"}").unwrap()["c"], "%zz");
        let error = policy_document("%7B").unwrap_err();
        assert_eq!(error.to_string(), "a policy document that is not JSON");
    }
}
