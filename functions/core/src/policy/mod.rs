//! The pieces every IAM policy of the backend is written with: a statement, the policy document
//! of statements, `"*"` for the actions AWS scopes to no resource, the two tag conditions that
//! reach only what the backend made, the ARNs of the account and region the backend is deployed to
//! ([`Arns`]), the statements of roles a function creates ([`own_roles`]) and the logging every
//! function gets ([`logging`]).
//!
//! Each function's own policy is written beside it (`functions/<name>/src/iam_policy.rs`); `envctl
//! deploy` puts them together (bootstrap/deploy, `policies`).

mod arns;
mod roles;

pub use arns::Arns;
pub use roles::{boundary_arn, own_roles, service_linked_roles};

use crate::arn::ArnScope;
use crate::tags::{MANAGED_BY, MANAGER_NAME};
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

/// The function writes its own logs (Lambda developer guide, "Sending Lambda function logs to
/// CloudWatch Logs"), to its own log group only.
pub fn logging(function: &str, scope: &ArnScope) -> Statement {
    let group = Arns::new(scope).log_group(&format!("/aws/lambda/{function}"));
    Statement::allow(
        "Logging",
        &[
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
        ],
        vec![group.clone(), format!("{group}:*")],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_is_an_allow_on_its_resources_or_on_all_but_them() {
        let read = Statement::allow("Read", &["s3:GetObject"], vec!["arn:aws:s3:::b/*".into()]);
        assert_eq!(
            read.to_json(),
            json!({"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]})
        );
        let tag = Statement::allow_except("Tag", &["kms:TagResource"], vec!["k".into()])
            .when(tagged_at_creation());
        assert_eq!(
            tag.to_json(),
            json!({
                "Sid": "Tag", "Effect": "Allow", "Action": ["kms:TagResource"], "NotResource": ["k"],
                "Condition": {"StringEquals": {"aws:RequestTag/catalog:managed-by": "catalog-environments"}}
            })
        );
        assert_eq!(
            tagged()["StringEquals"]["aws:ResourceTag/catalog:managed-by"],
            MANAGER_NAME
        );
        let document = document(&[read.clone(), tag]);
        assert_eq!(document["Version"], "2012-10-17");
        assert_eq!(document["Statement"][0], read.to_json());
        assert_eq!(any(), ["*"]);
    }

    #[test]
    fn every_function_writes_only_its_own_log_group() {
        let logging = logging("network", &ArnScope::new("us-west-2", "123456789012"));
        let group = "arn:aws:logs:us-west-2:123456789012:log-group:/aws/lambda/network";
        assert_eq!(logging.resources, [group.to_owned(), format!("{group}:*")]);
        assert_eq!(logging.actions.len(), 3);
    }
}
