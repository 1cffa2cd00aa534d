//! IAM documents linted with parliament (PyPI), as the audit and deploy tests require: nothing
//! above LOW in any document the backend or an environment creates.

use crate::emulator::emulator;
use serde_json::{json, Value};

/// Every inline policy of the roles whose names `wanted` picks, as `{name: "<role>/<policy>",
/// document}` (IAM returns the documents URL-encoded).
pub async fn inline_policies(wanted: impl Fn(&str) -> bool) -> Vec<Value> {
    let iam = aws_sdk_iam::Client::new(&emulator().sdk_config().await);
    // Every page: other tests' roles share the emulator, and IAM pages at 100.
    let roles: Vec<_> = iam
        .list_roles()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("the roles");
    let mut documents = Vec::new();
    for role in roles.iter().filter(|r| wanted(r.role_name())) {
        let name = role.role_name();
        let policies = iam
            .list_role_policies()
            .role_name(name)
            .send()
            .await
            .expect("its policies");
        for policy in policies.policy_names() {
            let got = iam
                .get_role_policy()
                .role_name(name)
                .policy_name(policy)
                .send()
                .await
                .expect("a policy");
            let text = got.policy_document();
            let document: Value = serde_json::from_str(text).unwrap_or_else(|_| {
                let decoded = percent_encoding::percent_decode_str(text)
                    .decode_utf8()
                    .expect("UTF-8");
                serde_json::from_str(&decoded).expect("JSON")
            });
            documents.push(json!({"name": format!("{name}/{policy}"), "document": document}));
        }
    }
    documents
}

/// parliament's findings above LOW, one JSON line each: empty when the documents pass.
pub fn findings(documents: &[Value]) -> String {
    let script = crate::workspace_root().join("tools/emulator/parliament_check.py");
    String::from_utf8_lossy(&crate::python::run(
        &script,
        &Value::from(documents.to_vec()),
    ))
    .into_owned()
}
