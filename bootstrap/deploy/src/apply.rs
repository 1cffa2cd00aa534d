//! `deploy` and `undeploy`: compare what exists with what should, and change only what differs.

use super::api::{Cloud, FunctionState, MachineState, ScheduleState};
use super::pool::{self, PoolSettings};
use super::resources::{self, Backend};
use super::rotation_package::CaBundle;
use crate::asl;
use crate::invocation;
use crate::policies::{self, Setting, FUNCTIONS};
use anyhow::{bail, Context};
use envctl_common::progress::Progress;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What happened to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Created,
    Updated,
    Unchanged,
    Deleted,
    Absent,
}

impl Change {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Updated => "updated",
            Change::Unchanged => "no changes",
            Change::Deleted => "deleted",
            Change::Absent => "already absent",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub kind: &'static str,
    pub name: String,
    pub change: Change,
}

/// Where the Lambda packages are: `<dir>/<function>.zip` or, as cargo-lambda writes them,
/// `<dir>/<function>/bootstrap.zip`.
#[derive(Debug, Clone)]
pub struct Packages {
    /// `<DIR>/<function>.zip` or `<DIR>/<function>/bootstrap.zip` (cargo-lambda's layout).
    pub dir: PathBuf,
    /// What the rotation package carries for its TLS check of the database.
    pub ca_bundle: CaBundle,
}

impl Packages {
    pub(crate) fn zip(&self, function: &str) -> anyhow::Result<Vec<u8>> {
        let flat = self.dir.join(format!("{function}.zip"));
        let nested = self.dir.join(function).join("bootstrap.zip");
        let path = if flat.exists() { flat } else { nested };
        std::fs::read(&path).with_context(|| {
            format!(
                "reading the package of {function} ({}; build it with `cargo lambda build --release --output-format zip` or pass --build)",
                path.display()
            )
        })
    }
}

/// Base64 of the SHA-256 of a package, as Lambda reports `CodeSha256`.
pub fn code_sha256(zip: &[u8]) -> String {
    aws_smithy_types::base64::encode(Sha256::digest(zip))
}

fn record(
    outcomes: &mut Vec<Outcome>,
    progress: &mut Progress<'_>,
    kind: &'static str,
    name: &str,
    change: Change,
) {
    progress.done(&format!("{kind} {name}: {}", change.describe()));
    outcomes.push(Outcome {
        kind,
        name: name.to_owned(),
        change,
    });
}

/// Where a deploy writes what happened to each resource: the outcomes it returns and the
/// progress lines it prints as it goes.
struct Log<'a, 'p> {
    outcomes: Vec<Outcome>,
    progress: &'a mut Progress<'p>,
}

impl Log<'_, '_> {
    fn add(&mut self, kind: &'static str, name: &str, change: Change) {
        record(&mut self.outcomes, self.progress, kind, name, change);
    }
}

/// Where the rotation package is, and its hash as Lambda reports `CodeSha256`.
struct RotationPackage {
    key: String,
    sha256: String,
}

/// Creates or updates the whole backend, each resource before those that name it, with no warm
/// pool.
pub async fn deploy<C: Cloud>(
    cloud: &C,
    packages: &Packages,
    region: &str,
    architecture: &str,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Vec<Outcome>> {
    let pool = PoolSettings::off();
    deploy_with_pool(cloud, packages, (region, architecture), &pool, progress).await
}

/// An account id is always 12 digits, so the cleanup's environment measured with this one has the
/// size it will have in any account.
const STAND_IN_ACCOUNT: &str = "000000000000";

/// [`deploy`], the cleanup function keeping a warm pool as `pool` says.
pub async fn deploy_with_pool<C: Cloud>(
    cloud: &C,
    packages: &Packages,
    (region, architecture): (&str, &str),
    pool: &PoolSettings,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Vec<Outcome>> {
    packages.ca_bundle.check_region(region)?;
    // Lambda would refuse the cleanup's settings only after everything before it was deployed.
    let stand_in = Backend::new(region, STAND_IN_ACCOUNT);
    pool::check_environment_size(
        resources::CLEANUP_FUNCTION,
        &cleanup_environment(&stand_in, pool),
    )?;
    let backend = Backend::new(region, &cloud.account().await?);
    let mut log = Log {
        outcomes: Vec::new(),
        progress,
    };
    let rotation = rotation_package(cloud, &backend, packages, &mut log).await?;
    // The boundary before the functions that create roles with it.
    let boundary = boundary(cloud, &backend, &mut log).await?;
    let setting = Setting {
        scope: &backend.scope,
        artifacts_bucket: &backend.bucket,
    };
    for policy in FUNCTIONS {
        let role = resources::function_role(policy.function);
        let trust = resources::lambda_trust(&backend.scope, policy.function);
        ensure_role(cloud, &role, (&trust, &policy.document(&setting)), &mut log).await?;
    }
    for policy in FUNCTIONS {
        let zip = packages.zip(policy.function)?;
        let desired = FunctionState {
            role_arn: backend
                .scope
                .role(&resources::function_role(policy.function)),
            architecture: architecture.to_owned(),
            code_sha256: code_sha256(&zip),
            environment: function_environment(
                policy.function,
                &backend,
                (&rotation, &boundary),
                architecture,
                pool,
            ),
            reserved_concurrency: invocation::reserved_concurrency(policy.function),
        };
        let change = ensure_function(cloud, policy.function, &desired, zip).await?;
        log.add("function", policy.function, change);
        // Before any environment registers the function in a target group: ELB refuses the
        // registration until the function's policy lets it invoke it.
        if let Some(permission) = invocation::permission(policy.function, &backend) {
            let change = invocation::ensure_permission(cloud, policy.function, &permission).await?;
            log.add("permission", &permission.statement_id, change);
        }
    }
    state_machines(cloud, &backend, &mut log).await?;
    schedule(cloud, &backend, &mut log).await?;
    Ok(log.outcomes)
}

/// The artifacts bucket and the rotation package in it: the database function deploys it per
/// environment from there. The key carries the package's hash, so a new build is a new object and
/// an unchanged one is no change.
async fn rotation_package<C: Cloud>(
    cloud: &C,
    backend: &Backend,
    packages: &Packages,
    log: &mut Log<'_, '_>,
) -> anyhow::Result<RotationPackage> {
    let rotation = packages.ca_bundle.add_to(&packages.zip("rotation")?)?;
    let key = format!("rotation/{}.zip", hex(&Sha256::digest(&rotation)[..8]));
    let sha256 = code_sha256(&rotation);
    let change = if cloud.bucket_exists(&backend.bucket).await? {
        Change::Unchanged
    } else {
        cloud.create_bucket(&backend.bucket).await?;
        Change::Created
    };
    log.add("bucket", &backend.bucket, change);
    let change = if cloud.object_exists(&backend.bucket, &key).await? {
        Change::Unchanged
    } else {
        cloud.put_object(&backend.bucket, &key, rotation).await?;
        Change::Created
    };
    log.add("object", &key, change);
    Ok(RotationPackage { key, sha256 })
}

/// The permissions boundary of the roles environments get; its ARN.
async fn boundary<C: Cloud>(
    cloud: &C,
    backend: &Backend,
    log: &mut Log<'_, '_>,
) -> anyhow::Result<String> {
    let boundary = policies::boundary_arn(&backend.scope);
    let document = policies::boundary_document(&backend.scope);
    let change = match cloud.managed_policy(&boundary).await? {
        None => {
            cloud
                .create_managed_policy(env_core::iam::ROLE_BOUNDARY_POLICY, &document)
                .await?;
            Change::Created
        }
        Some(current) if current == document => Change::Unchanged,
        Some(_) => {
            cloud.update_managed_policy(&boundary, &document).await?;
            Change::Updated
        }
    };
    log.add("policy", env_core::iam::ROLE_BOUNDARY_POLICY, change);
    Ok(boundary)
}

/// The settings `function` runs with.
fn function_environment(
    function: &str,
    backend: &Backend,
    (rotation, boundary): (&RotationPackage, &str),
    architecture: &str,
    pool: &PoolSettings,
) -> std::collections::BTreeMap<String, String> {
    if function == resources::CLEANUP_FUNCTION {
        return cleanup_environment(backend, pool);
    }
    if function == invocation::WAKER || function == policies::GUARD {
        return workflows_environment(backend);
    }
    let mut environment = std::collections::BTreeMap::new();
    if function == "database" {
        environment.insert("ROTATION_CODE_BUCKET".to_owned(), backend.bucket.clone());
        environment.insert("ROTATION_CODE_KEY".to_owned(), rotation.key.clone());
        // What Lambda will report as the package's CodeSha256: a rotation function that reports
        // another is updated to this package.
        environment.insert("ROTATION_CODE_SHA256".to_owned(), rotation.sha256.clone());
        // The rotation package is built for the same processor as every function.
        environment.insert("ROTATION_ARCHITECTURE".to_owned(), architecture.to_owned());
    }
    if policies::CREATE_ROLES.contains(&function) {
        environment.insert(
            env_core::iam::ROLE_BOUNDARY_VAR.to_owned(),
            boundary.to_owned(),
        );
    }
    environment
}

/// The cleanup's settings: the three workflows ([`workflows_environment`]) and the pool.
fn cleanup_environment(
    backend: &Backend,
    pool: &PoolSettings,
) -> std::collections::BTreeMap<String, String> {
    let mut environment = workflows_environment(backend);
    pool.add_to(&mut environment);
    environment
}

/// The three workflows by ARN, as the cleanup, the waker and the guard read them. The cleanup starts the
/// teardown of an expired environment, a provision to refill the pool or put an idle environment
/// to sleep, a claim to retire an unclaimed pool environment under the claim's lock; the waker
/// reads an environment's latest execution of each and starts the wake provision; the guard lists
/// running teardowns (a provision's admission) and running provisions and claims (a teardown's).
fn workflows_environment(backend: &Backend) -> std::collections::BTreeMap<String, String> {
    let mut environment = std::collections::BTreeMap::new();
    for (variable, machine) in [
        ("TEARDOWN_STATE_MACHINE_ARN", asl::TEARDOWN_NAME),
        (pool::PROVISION_VAR, asl::PROVISION_NAME),
        (pool::CLAIM_VAR, asl::CLAIM_NAME),
    ] {
        environment.insert(variable.to_owned(), backend.scope.state_machine(machine));
    }
    environment
}

/// The Step Functions role and the three workflows, teardown first: provision and claim name it
/// (their rollbacks, and the claim's retirement).
async fn state_machines<C: Cloud>(
    cloud: &C,
    backend: &Backend,
    log: &mut Log<'_, '_>,
) -> anyhow::Result<()> {
    let documents = (
        &resources::states_trust(&backend.scope),
        &resources::states_policy(&backend.scope),
    );
    ensure_role(cloud, resources::STATES_ROLE, documents, log).await?;
    for (name, definition) in [
        (asl::TEARDOWN_NAME, asl::TEARDOWN),
        (asl::PROVISION_NAME, asl::PROVISION),
        (asl::CLAIM_NAME, asl::CLAIM),
    ] {
        let desired = MachineState {
            definition: asl::substitute(definition, &backend.scope)?,
            role_arn: backend.scope.role(resources::STATES_ROLE),
        };
        let arn = backend.scope.state_machine(name);
        let change = match cloud.state_machine(&arn).await? {
            None => {
                cloud.create_state_machine(name, &desired).await?;
                Change::Created
            }
            Some(current) if current == desired => Change::Unchanged,
            Some(_) => {
                cloud.update_state_machine(&arn, &desired).await?;
                Change::Updated
            }
        };
        log.add("state machine", name, change);
    }
    Ok(())
}

/// The scheduler's role and the hourly schedule running the cleanup function.
async fn schedule<C: Cloud>(
    cloud: &C,
    backend: &Backend,
    log: &mut Log<'_, '_>,
) -> anyhow::Result<()> {
    let documents = (
        &resources::scheduler_trust(&backend.scope),
        &resources::scheduler_policy(&backend.scope),
    );
    ensure_role(cloud, resources::SCHEDULER_ROLE, documents, log).await?;
    let desired = ScheduleState {
        expression: resources::CLEANUP_RATE.to_owned(),
        target_arn: backend.scope.function(resources::CLEANUP_FUNCTION),
        role_arn: backend.scope.role(resources::SCHEDULER_ROLE),
    };
    let change = match cloud.schedule(resources::SCHEDULE).await? {
        None => {
            cloud.create_schedule(resources::SCHEDULE, &desired).await?;
            Change::Created
        }
        Some(current) if current == desired => Change::Unchanged,
        Some(_) => {
            cloud.update_schedule(resources::SCHEDULE, &desired).await?;
            Change::Updated
        }
    };
    log.add("schedule", resources::SCHEDULE, change);
    Ok(())
}

/// Creates the role `name` with its (trust, inline policy) documents, or brings them up to date,
/// and logs what changed.
async fn ensure_role<C: Cloud>(
    cloud: &C,
    name: &str,
    (trust, policy): (&serde_json::Value, &serde_json::Value),
    log: &mut Log<'_, '_>,
) -> anyhow::Result<()> {
    let change = role_change(cloud, name, trust, policy).await?;
    log.add("role", name, change);
    Ok(())
}

async fn role_change<C: Cloud>(
    cloud: &C,
    name: &str,
    trust: &serde_json::Value,
    policy: &serde_json::Value,
) -> anyhow::Result<Change> {
    let Some(current) = cloud.role(name).await? else {
        cloud.create_role(name, trust).await?;
        cloud.put_role_policy(name, policy).await?;
        return Ok(Change::Created);
    };
    let mut change = Change::Unchanged;
    if &current.trust != trust {
        cloud.update_trust(name, trust).await?;
        change = Change::Updated;
    }
    if current.policy.as_ref() != Some(policy) {
        cloud.put_role_policy(name, policy).await?;
        change = Change::Updated;
    }
    Ok(change)
}

async fn ensure_function<C: Cloud>(
    cloud: &C,
    name: &str,
    desired: &FunctionState,
    zip: Vec<u8>,
) -> anyhow::Result<Change> {
    let reserved = desired.reserved_concurrency;
    let Some(current) = cloud.function(name).await? else {
        cloud.create_function(name, desired, zip).await?;
        invocation::ensure_concurrency(cloud, name, None, reserved).await?;
        return Ok(Change::Created);
    };
    let mut change = Change::Unchanged;
    if current.code_sha256 != desired.code_sha256 || current.architecture != desired.architecture {
        cloud.update_code(name, &desired.architecture, zip).await?;
        change = Change::Updated;
    }
    if current.role_arn != desired.role_arn || current.environment != desired.environment {
        cloud.update_configuration(name, desired).await?;
        change = Change::Updated;
    }
    let current_reserved = current.reserved_concurrency;
    if invocation::ensure_concurrency(cloud, name, current_reserved, reserved).await? {
        change = Change::Updated;
    }
    Ok(change)
}

/// Removes the whole backend, refusing while environments exist unless `force`.
pub(crate) async fn undeploy<C: Cloud>(
    cloud: &C,
    region: &str,
    force: bool,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Vec<Outcome>> {
    let environments = cloud.environments().await?;
    if !environments.is_empty() && !force {
        bail!(
            "{} environment(s) still exist ({}): tear them down first with `envctl env down`, or pass --force to remove the backend anyway",
            environments.len(),
            environments.join(", ")
        );
    }
    let backend = Backend::new(region, &cloud.account().await?);
    let mut outcomes = Vec::new();
    let gone = |existed: bool| {
        if existed {
            Change::Deleted
        } else {
            Change::Absent
        }
    };
    let change = gone(cloud.delete_schedule(resources::SCHEDULE).await?);
    record(
        &mut outcomes,
        progress,
        "schedule",
        resources::SCHEDULE,
        change,
    );
    for name in [asl::CLAIM_NAME, asl::PROVISION_NAME, asl::TEARDOWN_NAME] {
        let arn = backend.scope.state_machine(name);
        let change = gone(cloud.delete_state_machine(&arn).await?);
        record(&mut outcomes, progress, "state machine", name, change);
    }
    for policy in FUNCTIONS {
        let change = gone(cloud.delete_function(policy.function).await?);
        record(&mut outcomes, progress, "function", policy.function, change);
    }
    let roles = FUNCTIONS
        .iter()
        .map(|policy| resources::function_role(policy.function))
        .chain([
            resources::STATES_ROLE.to_owned(),
            resources::SCHEDULER_ROLE.to_owned(),
        ]);
    for role in roles {
        let change = gone(cloud.delete_role(&role).await?);
        record(&mut outcomes, progress, "role", &role, change);
    }
    let boundary = policies::boundary_arn(&backend.scope);
    let change = gone(cloud.delete_managed_policy(&boundary).await?);
    record(
        &mut outcomes,
        progress,
        "policy",
        env_core::iam::ROLE_BOUNDARY_POLICY,
        change,
    );
    let change = gone(cloud.delete_bucket(&backend.bucket).await?);
    record(&mut outcomes, progress, "bucket", &backend.bucket, change);
    Ok(outcomes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `--build`: the packages as cargo-lambda builds them into `<target>/lambda/<bin>/bootstrap.zip`.
pub(crate) fn build_command(workspace: &Path, architecture: &str) -> std::process::Command {
    let mut command = std::process::Command::new("cargo");
    command
        .current_dir(workspace)
        .args(["lambda", "build", "--release", "--output-format", "zip"])
        .arg(if architecture == "arm64" {
            "--arm64"
        } else {
            "--x86-64"
        });
    command
}
