//! `status`: where the service stands, read without changing anything. It makes no call that
//! creates, modifies, tags, puts or deletes: it looks up each resource `create` makes, with the
//! finders `create` and `delete` use, and judges it by the tests `create` applies.
//!
//! - DELETED, with no outputs, when nothing `delete` would remove is left.
//! - READY, with exactly the outputs `create` answers, when every resource is there as `create`
//!   leaves it: the log groups, both roles with their policies, the ACTIVE cluster, a task
//!   definition registered from this spec and these roles (asleep: the one the service keeps),
//!   the Cloud Map service in its namespace, the ECS service ACTIVE on that revision with the
//!   spec's strategy, at least `minTasks` wanted and ready (a standby or sleeping one at no task),
//!   and the autoscaling with the spec's bounds (0..0 for standby and asleep) and its CPU policy.
//!   A `create` then would change nothing.
//! - IN_PROGRESS otherwise (something missing, still being created, draining, or made from an
//!   older spec), with the outputs of what it found.
//! - A failed rollout is the error `create` answers for it, ComponentFailed.
//!
//! What only a write could tell is not judged: the text of the inline policies and the log
//! groups' retention and key, which every `create` puts right.

use crate::api::{CallResult, Cloud, EcsService};
use crate::deployment::{self, deploys_blue_green};
use crate::handler::ServiceError;
use crate::inputs::Inputs;
use crate::outputs::{outputs, Known};
use crate::roles::{FoundRole, TaskRoles, EXECUTION_POLICY, INFRASTRUCTURE_POLICY, TASK_POLICY};
use crate::settings::Readiness;
use crate::task::Revision;
use crate::{cluster, discovery, logs, roles, scaling, task};
use env_core::context::Context;
use env_core::contract::{Outputs, Request};
use env_core::naming::NameKind;
use env_core::spec::SpecFields;
use env_core::{Response, Status};

/// How far one resource stands from what `create` leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    Absent,
    /// There, but not yet (or no longer) as `create` leaves it.
    Partial,
    Complete,
}

impl Presence {
    /// `None` when absent, otherwise whether it is complete.
    fn of(found: Option<bool>) -> Self {
        match found {
            None => Presence::Absent,
            Some(false) => Presence::Partial,
            Some(true) => Presence::Complete,
        }
    }
}

/// Everything `status` reads, with the finders of the resources' own modules.
#[derive(Debug)]
struct Found {
    /// The service's group, then Container Insights'.
    log_groups: [bool; 2],
    execution_role: Option<FoundRole>,
    task_role: Option<FoundRole>,
    infrastructure_role: Option<FoundRole>,
    cluster: bool,
    revision: Option<Revision>,
    /// The spec sleeps: `create` keeps the revision the service runs and registers none.
    keeps_revision: bool,
    inactive_revisions: bool,
    discovery: Option<bool>,
    service: Option<EcsService>,
    scaling: Option<bool>,
}

impl Found {
    async fn read<C: Cloud>(cx: &Context<'_, C, &Inputs>) -> CallResult<Self> {
        let (cloud, names) = (cx.cloud, cx.names);
        let role = |kind: NameKind, policy: &'static str| async move {
            roles::found(cloud, &names.of(kind), policy).await
        };
        let log_groups = logs::found(cloud, names).await?;
        let execution_role = role(NameKind::ExecutionRole, EXECUTION_POLICY).await?;
        let task_role = role(NameKind::TaskRole, TASK_POLICY).await?;
        let infrastructure_role =
            role(NameKind::EcsInfrastructureRole, INFRASTRUCTURE_POLICY).await?;
        let cluster = cluster::is_active(cloud, &names.of(NameKind::EcsCluster)).await?;
        // The wanted task definition names both roles.
        let roles = execution_role.as_ref().zip(task_role.as_ref());
        let roles = roles.map(|(execution, task)| TaskRoles {
            execution: execution.arn.clone(),
            task: task.arn.clone(),
        });
        Ok(Self {
            log_groups,
            revision: task::latest(cx, roles.as_ref()).await?,
            keeps_revision: cx.fields().asleep,
            inactive_revisions: task::has_inactive(cloud, names).await?,
            discovery: discovery::found(cloud, names).await?,
            service: deployment::find(cloud, names).await?,
            scaling: scaling::found(cloud, names, cx.fields()).await?,
            execution_role,
            task_role,
            infrastructure_role,
            cluster,
        })
    }

    /// The revision `create` would answer: asleep, the one it keeps (`task::wanted`: the ACTIVE
    /// service's, else the family's latest); awake, the latest when it says what the spec wants.
    fn current_revision(&self) -> Option<&str> {
        if self.keeps_revision {
            if let Some(service) = self.active_service() {
                return Some(service.task_definition.as_str());
            }
        }
        let current = self
            .revision
            .as_ref()
            .filter(|revision| revision.current || self.keeps_revision);
        current.map(|revision| revision.arn.as_str())
    }

    fn active_service(&self) -> Option<&EcsService> {
        self.service
            .as_ref()
            .filter(|service| service.status == "ACTIVE")
    }
}

/// How far the ECS service is: whether it is rolled out as `create` leaves it (`None`: no service
/// that stays), and whether it deploys with the spec's strategy.
struct Rollout {
    service: Option<bool>,
    strategy: bool,
}

/// A part `create` makes, by the name the log shows, and how far it is.
type Part = (&'static str, Presence);

impl Found {
    fn rollout(
        &self,
        service_name: impl FnOnce() -> String,
        blue_green: bool,
        readiness: Readiness,
        fields: &SpecFields,
    ) -> Result<Rollout, ServiceError> {
        let active = self.active_service();
        if active.is_some_and(|service| service.rollout.as_deref() == Some("FAILED")) {
            return Err(ServiceError::DeploymentFailed(service_name()));
        }
        let current = self.current_revision();
        let strategy = active.is_some_and(|service| deploys_blue_green(service) == blue_green);
        // As `create` leaves it: nothing for it to update (no revision, strategy or count to
        // change), and ready.
        let rolled_out = |service: &EcsService| {
            current == Some(service.task_definition.as_str())
                && strategy
                && deployment::count_change(service, fields).is_none()
                && deployment::is_ready(service, readiness, fields)
        };
        let service = match &self.service {
            Some(service) if service.status == "ACTIVE" => Some(rolled_out(service)),
            Some(service) if service.status == "DRAINING" => Some(false),
            _ => None,
        };
        Ok(Rollout { service, strategy })
    }

    /// Every part this spec's `create` makes, and whether `delete` has more to remove besides: the
    /// deregistered revisions of a teardown not finished, and the infrastructure role a switch
    /// from blue/green leaves.
    fn parts(&self, service: Option<bool>, blue_green: bool) -> (Vec<Part>, bool) {
        let role =
            |role: &Option<FoundRole>| Presence::of(role.as_ref().map(|role| role.has_policy));
        let [log_group, insights] = self.log_groups;
        let revision = self
            .revision
            .as_ref()
            .map(|revision| revision.current || self.keeps_revision);
        let mut parts = vec![
            ("service log group", Presence::of(log_group.then_some(true))),
            (
                "Container Insights log group",
                Presence::of(insights.then_some(true)),
            ),
            ("execution role", role(&self.execution_role)),
            ("task role", role(&self.task_role)),
            ("cluster", Presence::of(self.cluster.then_some(true))),
            ("task definition", Presence::of(revision)),
            ("discovery service", Presence::of(self.discovery)),
            ("ECS service", Presence::of(service)),
            ("autoscaling", Presence::of(self.scaling)),
        ];
        let infrastructure = role(&self.infrastructure_role);
        let mut left_over = self.inactive_revisions;
        if blue_green {
            parts.push(("infrastructure role", infrastructure));
        } else {
            left_over |= infrastructure != Presence::Absent;
        }
        (parts, left_over)
    }

    /// What the outputs are built from.
    fn known(&self, strategy: bool) -> Known<'_> {
        Known {
            cluster: self.cluster,
            service: self.active_service().is_some(),
            log_group: self.log_groups[0],
            discovery: self.discovery == Some(true),
            task_definition: self.current_revision(),
            execution_role: self.execution_role.as_ref().map(|role| role.arn.as_str()),
            task_role: self.task_role.as_ref().map(|role| role.arn.as_str()),
            strategy,
        }
    }
}

pub async fn status<C: Cloud>(
    cloud: &C,
    request: &Request,
    inputs: &Inputs,
    readiness: Readiness,
) -> Result<Response, ServiceError> {
    let cx = Context::new(cloud, request).with(inputs);
    let found = Found::read(&cx).await?;
    let blue_green = inputs.blue_green.is_some();
    let service_name = || cx.names.of(NameKind::EcsService);
    let rollout = found.rollout(service_name, blue_green, readiness, cx.fields())?;
    let (parts, left_over) = found.parts(rollout.service, blue_green);
    if !left_over && parts.iter().all(|(_, part)| *part == Presence::Absent) {
        return Ok(Response::new(Status::Deleted, Outputs::new()));
    }
    let waiting: Vec<&str> = parts
        .iter()
        .filter(|(_, part)| *part != Presence::Complete)
        .map(|(name, _)| *name)
        .collect();
    tracing::info!(?waiting, "service status");
    let status = if waiting.is_empty() {
        Status::Ready
    } else {
        Status::InProgress
    };
    let known = found.known(rollout.strategy);
    let outputs = outputs(cx.names, cx.fields().deployment_strategy, &known);
    Ok(Response::new(status, outputs))
}
