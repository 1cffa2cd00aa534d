//! The pieces every policy is written with: a statement, the ARNs of the account and region the
//! backend is deployed to, and the two tag conditions that reach only what the backend made.

use crate::asl::ArnScope;
use env_core::tags::{MANAGED_BY, MANAGER_NAME};
use serde_json::{json, Map, Value};

/// One statement of a policy: an Allow of `actions` on `resources`, with an optional condition
/// block.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: String,
    pub actions: Vec<&'static str>,
    pub resources: Vec<String>,
    /// `NotResource` instead of `Resource`: every resource but these.
    pub except: bool,
    pub condition: Option<Value>,
}

impl Statement {
    pub fn allow(sid: impl Into<String>, actions: &[&'static str], resources: Vec<String>) -> Self {
        Self {
            sid: sid.into(),
            actions: actions.to_vec(),
            resources,
            except: false,
            condition: None,
        }
    }

    /// An Allow of `actions` on every resource but `resources` (`NotResource`).
    pub fn allow_except(
        sid: impl Into<String>,
        actions: &[&'static str],
        resources: Vec<String>,
    ) -> Self {
        Self {
            except: true,
            ..Self::allow(sid, actions, resources)
        }
    }

    /// The same statement, allowed only when `condition` (an IAM condition block) holds.
    pub fn when(mut self, condition: Value) -> Self {
        self.condition = Some(condition);
        self
    }

    pub fn to_json(&self) -> Value {
        let mut statement = Map::new();
        statement.insert("Sid".into(), json!(self.sid));
        statement.insert("Effect".into(), json!("Allow"));
        statement.insert("Action".into(), json!(self.actions));
        let element = if self.except {
            "NotResource"
        } else {
            "Resource"
        };
        statement.insert(element.into(), json!(self.resources));
        if let Some(condition) = &self.condition {
            statement.insert("Condition".into(), condition.clone());
        }
        Value::Object(statement)
    }
}

/// A policy document of these statements.
pub fn document(statements: &[Statement]) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": statements.iter().map(Statement::to_json).collect::<Vec<_>>()
    })
}

/// `"*"`: for actions that AWS authorizes on no resource type (the Service Authorization
/// Reference lists none for them), which a Resource element can therefore not narrow.
pub fn any() -> Vec<String> {
    vec!["*".to_owned()]
}

/// Only while creating a resource tagged as the backend's (`aws:RequestTag`).
pub fn tagged_at_creation() -> Value {
    json!({"StringEquals": {format!("aws:RequestTag/{MANAGED_BY}"): MANAGER_NAME}})
}

/// Only on a resource that carries the backend's tag (`aws:ResourceTag`).
pub fn tagged() -> Value {
    json!({"StringEquals": {format!("aws:ResourceTag/{MANAGED_BY}"): MANAGER_NAME}})
}

/// ARNs in the account and region the backend is deployed to.
#[derive(Debug, Clone, Copy)]
pub struct Arns<'a> {
    pub scope: &'a ArnScope,
}

impl<'a> Arns<'a> {
    pub fn new(scope: &'a ArnScope) -> Self {
        Self { scope }
    }

    /// `arn:aws:<service>:<region>:<account>:<resource>`.
    pub fn regional(self, service: &str, resource: &str) -> String {
        self.scope.regional(service, resource)
    }

    /// `arn:aws:<service>::<account>:<resource>` (IAM, CloudWatch dashboards).
    pub fn global(self, service: &str, resource: &str) -> String {
        self.scope.global(service, resource)
    }

    /// One regional ARN per resource, for the same service.
    pub fn each(self, service: &str, resources: &[&str]) -> Vec<String> {
        resources
            .iter()
            .map(|resource| self.regional(service, resource))
            .collect()
    }

    pub fn role(self, name: &str) -> String {
        self.scope.role(name)
    }

    /// A service-linked role (IAM user guide, "Using service-linked roles": they live under
    /// `role/aws-service-role/<service principal>/`).
    pub fn service_linked_role(self, service: &str, role: &str) -> String {
        self.global("iam", &format!("role/aws-service-role/{service}/{role}"))
    }

    pub fn log_group(self, name: &str) -> String {
        self.regional("logs", &format!("log-group:{name}"))
    }
}

/// The permissions boundary every role an environment gets must carry (see
/// [`super::boundary`]), as the functions pass it to CreateRole.
pub fn boundary_arn(scope: &ArnScope) -> String {
    Arns::new(scope).global(
        "iam",
        &format!("policy/{}", env_core::iam::ROLE_BOUNDARY_POLICY),
    )
}

/// Roles named as `roles` say that the function creates: created and given inline policies only with
/// the environments' permissions boundary (IAM user guide, "Permissions boundaries for IAM
/// entities": a role can never do more than its boundary allows, so no inline policy the function
/// writes can reach beyond it), read, tagged and deleted by name, and passed only to `service`.
pub fn own_roles(
    scope: &ArnScope,
    prefix: &str,
    roles: &[(String, &'static str)],
) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let names: Vec<String> = roles.iter().map(|(name, _)| arns.role(name)).collect();
    let mut statements = vec![
        Statement::allow(
            format!("{prefix}CreateWithinTheBoundary"),
            &["iam:CreateRole", "iam:PutRolePolicy"],
            names.clone(),
        )
        .when(json!({"StringEquals": {"iam:PermissionsBoundary": boundary_arn(scope)}})),
        Statement::allow(
            format!("{prefix}Manage"),
            &[
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:TagRole",
                "iam:DeleteRolePolicy",
                "iam:DeleteRole",
            ],
            names,
        ),
    ];
    let mut services: Vec<&'static str> = roles.iter().map(|(_, service)| *service).collect();
    services.sort_unstable();
    services.dedup();
    for (index, service) in services.into_iter().enumerate() {
        let passed: Vec<String> = roles
            .iter()
            .filter(|(_, s)| *s == service)
            .map(|(name, _)| arns.role(name))
            .collect();
        statements.push(
            Statement::allow(format!("{prefix}Pass{index}"), &["iam:PassRole"], passed)
                .when(json!({"StringEquals": {"iam:PassedToService": service}})),
        );
    }
    statements
}

/// Lets each service create its service-linked role on first use in an account, and only that
/// role (IAM user guide, "Service-linked role permissions": `iam:AWSServiceName`).
pub fn service_linked_roles(scope: &ArnScope, roles: &[(&'static str, &str)]) -> Statement {
    let arns = Arns::new(scope);
    let services: Vec<&str> = roles.iter().map(|(service, _)| *service).collect();
    Statement::allow(
        "CreateServiceLinkedRolesOnFirstUse",
        &["iam:CreateServiceLinkedRole"],
        roles
            .iter()
            .map(|(service, role)| arns.service_linked_role(service, role))
            .collect(),
    )
    .when(json!({"StringEquals": {"iam:AWSServiceName": services}}))
}
