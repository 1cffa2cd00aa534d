//! The task definition: what it says, and a revision registered only when that changed.

use crate::api::{CallResult, Cloud, EcsCalls, TaskSpec, FINGERPRINT_TAG};
use crate::inputs::Inputs;
use crate::roles::TaskRoles;
use env_core::context::Context;
use env_core::naming::{NameKind, Names};
use env_core::spec::EnvironmentSpec;
use env_core::tags::Tag;
use serde_json::json;

/// The one container of the task, as the load balancer and Cloud Map address it.
pub const CONTAINER_NAME: &str = "api";
/// A non-zero uid (control ECS.20); 1000 is the `node` user of the official Node.js images.
pub const CONTAINER_USER: &str = "1000:1000";

/// The ARN of the revision the service should run. While the environment sleeps no task starts,
/// and the cache it would name has no endpoint, so nothing new is registered: the service keeps
/// the revision it runs ([`kept`]); only a service made asleep from nothing gets one from this
/// spec. Awake, [`ensure`]'s.
pub async fn wanted<C: Cloud>(
    cx: &Context<'_, C, &Inputs>,
    roles: &TaskRoles,
) -> CallResult<String> {
    if cx.fields().asleep {
        if let Some(kept) = kept(cx).await? {
            return Ok(kept);
        }
    }
    ensure(cx, roles).await
}

/// The revision a sleeping environment keeps: the one its ACTIVE service runs, else the family's
/// latest; `None` when the family has no active revision.
async fn kept<C: Cloud>(cx: &Context<'_, C, &Inputs>) -> CallResult<Option<String>> {
    let ecs = cx.cloud.ecs();
    let cluster = cx.names.of(NameKind::EcsCluster);
    let service = ecs
        .service(&cluster, &cx.names.of(NameKind::EcsService))
        .await?;
    if let Some(service) = service.filter(|service| service.status == "ACTIVE") {
        return Ok(Some(service.task_definition));
    }
    let family = cx.names.of(NameKind::TaskFamily);
    // A match, not a closure: a closure is a function of its own in each copy of this generic
    // one, and the copy the moto tests run never gets here.
    match ecs.latest_task_definition(&family).await? {
        Some(latest) => Ok(Some(latest.arn)),
        None => Ok(None),
    }
}

/// The ARN of the revision that says what this spec wants: the family's latest when its
/// fingerprint matches, a new one otherwise.
async fn ensure<C: Cloud>(cx: &Context<'_, C, &Inputs>, roles: &TaskRoles) -> CallResult<String> {
    let wanted = task_spec(cx.spec, cx.names, cx.inputs, &roles.execution, &roles.task);
    let print = fingerprint(&wanted);
    let ecs = cx.cloud.ecs();
    match ecs.latest_task_definition(&wanted.family).await? {
        Some(latest) if latest.fingerprint.as_deref() == Some(print.as_str()) => Ok(latest.arn),
        _ => {
            let mut tags = cx.tags.clone();
            tags.push(Tag {
                key: FINGERPRINT_TAG,
                value: print,
            });
            Ok(ecs.register_task_definition(&wanted, &tags).await?.arn)
        }
    }
}

/// The family's latest active revision as `status` finds it.
#[derive(Debug)]
pub struct Revision {
    pub arn: String,
    /// It says what this spec wants with these roles: `create` would answer it and register none.
    pub current: bool,
}

/// The family's latest active revision; it cannot be current without both `roles`.
pub async fn latest<C: Cloud>(
    cx: &Context<'_, C, &Inputs>,
    roles: Option<&TaskRoles>,
) -> CallResult<Option<Revision>> {
    let family = cx.names.of(NameKind::TaskFamily);
    let Some(latest) = cx.cloud.ecs().latest_task_definition(&family).await? else {
        return Ok(None);
    };
    let wanted = roles.map(|roles| {
        let wanted = task_spec(cx.spec, cx.names, cx.inputs, &roles.execution, &roles.task);
        fingerprint(&wanted)
    });
    let current = wanted.is_some() && latest.fingerprint == wanted;
    Ok(Some(Revision {
        arn: latest.arn,
        current,
    }))
}

/// Whether the family has deregistered revisions left: a teardown not finished.
pub async fn has_inactive<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    let family = names.of(NameKind::TaskFamily);
    let inactive = cloud.ecs().inactive_task_definitions(&family).await?;
    Ok(!inactive.is_empty())
}

/// FNV-1a (64 bits) of the task definition's description: stable within a build, so the same
/// wanted definition is never registered twice.
pub fn fingerprint(task: &TaskSpec) -> String {
    let text = format!("{task:?}");
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// The wanted task definition.
pub fn task_spec(
    spec: &EnvironmentSpec,
    names: Names<'_>,
    inputs: &Inputs,
    execution_role_arn: &str,
    task_role_arn: &str,
) -> TaskSpec {
    let fields = spec.fields();
    let port = fields.container_port.get();
    // The API is Node.js: `node` itself probes the health path, so the image needs no curl.
    let url = json!(format!(
        "http://127.0.0.1:{port}{}",
        fields.health_check_path.as_str()
    ));
    let probe = format!(
        "require('http').get({url},r=>process.exit(r.statusCode<400?0:1)).on('error',()=>process.exit(1))"
    );
    TaskSpec {
        family: names.of(NameKind::TaskFamily),
        execution_role_arn: execution_role_arn.to_owned(),
        task_role_arn: task_role_arn.to_owned(),
        cpu: fields.task_cpu.get().to_string(),
        memory: fields.task_memory.get().to_string(),
        cpu_architecture: fields.cpu_architecture.ecs_name().to_owned(),
        container_name: CONTAINER_NAME.to_owned(),
        image: fields.container_image.as_str().to_owned(),
        port: i32::from(port),
        user: CONTAINER_USER.to_owned(),
        log_group: names.of(NameKind::ServiceLogGroup),
        region: fields.region.as_str().to_owned(),
        // Only non-secret settings (control ECS.8): endpoints and the port.
        environment: vec![
            ("NODE_ENV".into(), "production".into()),
            ("PORT".into(), port.to_string()),
            ("DB_HOST".into(), inputs.db_endpoint.clone()),
            (
                "REDIS_CONFIGURATION_ENDPOINT".into(),
                inputs.cache_endpoint.clone(),
            ),
            // Which secret the API reads its keys from, both the current and the previous
            // version, so a rotation never rejects a client in flight (README, "API keys"): its
            // ARN, a pointer and no value (the audit's ECS.8 rule: a secret-looking name may hold
            // an ARN only).
            (
                "API_KEYS_SECRET_ARN".into(),
                inputs.api_keys_secret_arn.clone(),
            ),
        ],
        // ECS reads these at task start through the execution role: `arn:json-key:version-stage:
        // version-id` (ECS developer guide, "Pass Secrets Manager secrets through environment
        // variables").
        secrets: vec![
            (
                "DB_USERNAME".into(),
                format!("{}:username::", inputs.db_secret_arn),
            ),
            (
                "DB_PASSWORD".into(),
                format!("{}:password::", inputs.db_secret_arn),
            ),
            (
                "REDIS_AUTH_TOKEN".into(),
                format!("{}:authToken::", inputs.cache_secret_arn),
            ),
        ],
        health_check: vec!["CMD".into(), "node".into(), "-e".into(), probe],
        tmp_volume: "tmp".into(),
    }
}

/// Deregisters every active revision of the family; whether there was one.
pub async fn deregister_all<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    let ecs = cloud.ecs();
    let revisions = ecs
        .task_definitions(&names.of(NameKind::TaskFamily))
        .await?;
    for arn in &revisions {
        ecs.deregister_task_definition(arn).await?;
    }
    Ok(!revisions.is_empty())
}

/// Deletes the family's deregistered revisions; whether there was one. A deregistered revision
/// stays INACTIVE for good unless deleted (ECS API reference, DeleteTaskDefinitions: INACTIVE
/// revisions only, up to 10 a call), and a pull request makes one per deploy. One ECS refuses is
/// listed again by the next call.
pub async fn delete_inactive<C: Cloud>(cloud: &C, names: Names<'_>) -> CallResult<bool> {
    let family = names.of(NameKind::TaskFamily);
    let inactive = cloud.ecs().inactive_task_definitions(&family).await?;
    for batch in inactive.chunks(10) {
        let refused = cloud.ecs().delete_task_definitions(batch).await?;
        tracing::info!(deleted = batch.len(), ?refused, "task definitions");
    }
    Ok(!inactive.is_empty())
}
