//! What the component answers: the names and ARNs the later components and the workflow read.

use crate::discovery::DISCOVERY_SERVICE;
use crate::roles::TaskRoles;
use env_core::contract::Outputs;
use env_core::naming::{NameKind, Names};
use env_core::spec::DeploymentStrategy;
use serde_json::json;

/// Which of the resources the outputs name are known. `create` knows them all once it has the task
/// definition; `status` knows only what it found, so it never answers a key whose resource is
/// missing, nor a value `create` would not answer.
#[derive(Debug, Default)]
pub struct Known<'a> {
    pub cluster: bool,
    /// The ECS service is ACTIVE.
    pub service: bool,
    pub log_group: bool,
    /// The API's Cloud Map service.
    pub discovery: bool,
    pub task_definition: Option<&'a str>,
    pub execution_role: Option<&'a str>,
    pub task_role: Option<&'a str>,
    /// The ECS service deploys with the spec's strategy.
    pub strategy: bool,
}

impl<'a> Known<'a> {
    /// Everything: what `create` answers.
    pub fn all(task_definition: &'a str, roles: &'a TaskRoles) -> Self {
        Self {
            cluster: true,
            service: true,
            log_group: true,
            discovery: true,
            task_definition: Some(task_definition),
            execution_role: Some(&roles.execution),
            task_role: Some(&roles.task),
            strategy: true,
        }
    }
}

/// The outputs of what is `known`, from names and ARNs known before the service exists.
pub fn outputs(names: Names<'_>, strategy: DeploymentStrategy, known: &Known<'_>) -> Outputs {
    let discovery_name = format!(
        "{DISCOVERY_SERVICE}.{}",
        names.of(NameKind::DiscoveryNamespace)
    );
    let entries = [
        (
            "clusterName",
            known.cluster.then(|| names.of(NameKind::EcsCluster)),
        ),
        (
            "serviceName",
            known.service.then(|| names.of(NameKind::EcsService)),
        ),
        (
            "serviceLogGroup",
            known.log_group.then(|| names.of(NameKind::ServiceLogGroup)),
        ),
        (
            "serviceDiscoveryName",
            known.discovery.then_some(discovery_name),
        ),
        (
            "taskDefinitionArn",
            known.task_definition.map(str::to_owned),
        ),
        ("executionRoleArn", known.execution_role.map(str::to_owned)),
        ("taskRoleArn", known.task_role.map(str::to_owned)),
    ];
    let mut outputs: Outputs = entries
        .into_iter()
        .filter_map(|(key, value)| Some((key.to_owned(), json!(value?))))
        .collect();
    if known.strategy {
        outputs.insert("deploymentStrategy".into(), json!(strategy));
    }
    outputs
}
