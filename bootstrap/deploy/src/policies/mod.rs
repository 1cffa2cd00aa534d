//! The IAM policies of every role the backend deploys or its functions create, least privilege:
//! each action on the ARNs the environments' names produce (env-core's naming) or, where AWS names
//! a resource by id, on what carries the backend's tag; `"*"` only for actions the Service
//! Authorization Reference gives no resource type, each such statement saying so.
//!
//! Each function's statements are written beside it (`functions/<name>/src/iam_policy.rs`), with
//! the pieces every policy is written with (`env_core::policy`); the backend's own (the boundary,
//! the deployer's) are here.
//!
//! What each role must allow is not written from memory: the integration test
//! `permissions` records every request each function makes over a whole local lifecycle and checks
//! it, with AWS's own authorization data, against these documents as deployed (tests/iam).

mod boundary;
mod deployer;

use crate::asl::{self, ArnScope};
pub(crate) use env_core::policy::{boundary_arn, document as document_of, Statement};

/// One function the backend deploys, and its role's statements.
#[derive(Debug, Clone, Copy)]
pub struct FunctionPolicy {
    pub function: &'static str,
    statements: fn(&Setting<'_>) -> Vec<Statement>,
}

/// What a function's policy is scoped to: the account and region, and the backend's artifacts
/// bucket (the rotation function's code).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Setting<'a> {
    pub scope: &'a ArnScope,
    pub artifacts_bucket: &'a str,
}

/// The function that keeps teardowns and provisions of one environment apart (the workflows' Admit
/// and StopProvisions steps); it reads the three workflows' ARNs like the cleanup and the waker.
pub const GUARD: &str = "guard";

/// Every function the CLI deploys, in the order the provision workflow first calls them, then the
/// ones no workflow calls. The rotation function is not here: the database function deploys it per
/// environment.
pub const FUNCTIONS: &[FunctionPolicy] = &[
    FunctionPolicy {
        function: "validate",
        statements: |_| Vec::new(),
    },
    FunctionPolicy {
        function: GUARD,
        statements: |setting| guard::iam_policy::statements(setting.scope),
    },
    FunctionPolicy {
        function: "network",
        statements: |setting| network::iam_policy::statements(setting.scope),
    },
    FunctionPolicy {
        function: "database",
        statements: |setting| {
            database::iam_policy::statements(setting.scope, setting.artifacts_bucket)
        },
    },
    FunctionPolicy {
        function: "cache",
        statements: |setting| cache::iam_policy::statements(setting.scope),
    },
    FunctionPolicy {
        function: "edge",
        statements: |setting| edge::iam_policy::statements(setting.scope),
    },
    FunctionPolicy {
        function: "service",
        statements: |setting| service::iam_policy::statements(setting.scope),
    },
    FunctionPolicy {
        function: "monitoring",
        statements: |setting| monitoring::iam_policy::statements(setting.scope),
    },
    FunctionPolicy {
        function: "outputs",
        statements: |setting| outputs::iam_policy::statements(setting.scope),
    },
    FunctionPolicy {
        function: "cleanup",
        statements: |setting| cleanup::iam_policy::statements(setting.scope, asl::TEARDOWN_NAME),
    },
    // Invoked by the environments' load balancers, not by a workflow (crate::invocation).
    FunctionPolicy {
        function: crate::invocation::WAKER,
        statements: |setting| waker::iam_policy::statements(setting.scope),
    },
];

impl FunctionPolicy {
    pub(crate) fn statements(&self, setting: &Setting<'_>) -> Vec<Statement> {
        let mut statements = vec![env_core::policy::logging(self.function, setting.scope)];
        statements.extend((self.statements)(setting));
        statements
    }

    /// The policy document of the function's role.
    pub(crate) fn document(&self, setting: &Setting<'_>) -> serde_json::Value {
        document_of(&self.statements(setting))
    }
}

/// The permissions boundary of every role an environment gets.
pub(crate) fn boundary_document(scope: &ArnScope) -> serde_json::Value {
    document_of(&boundary::statements(scope))
}

/// What a person deploying the backend needs (`envctl deploy --print-policy`).
pub(crate) fn deployer_document(scope: &ArnScope) -> serde_json::Value {
    document_of(&deployer::statements(scope))
}

/// The functions that create roles, which get the boundary's ARN in [`env_core::iam::ROLE_BOUNDARY_VAR`].
pub(crate) const CREATE_ROLES: [&str; 3] = ["network", "database", "service"];
