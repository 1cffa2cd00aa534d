//! The roles' documents against the fake: least privilege for the execution and task roles, and
//! the database connection narrowed to the cluster the database component names.

use super::{inputs, request, run, spec};
use crate::fake::Fake;
use crate::handler::handle;
use crate::policy::tests::assert_least_privilege;
use crate::roles::{EXECUTION_POLICY, TASK_POLICY};
use crate::settings::tests::settings;
use serde_json::{json, Value};

fn document(fake: &Fake, role: &str, policy: &str) -> Value {
    serde_json::from_str(&fake.roles.roles()[role].policies[policy]).unwrap()
}

#[tokio::test]
async fn both_roles_get_least_privilege_documents() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    let execution = document(&fake, "role-ecs-execution-pr-42", EXECUTION_POLICY);
    let task = document(&fake, "role-ecs-task-pr-42", TASK_POLICY);
    assert_least_privilege(&execution);
    assert_least_privilege(&task);
    assert_ne!(execution, task);
    let trust = &fake.roles.roles()["role-ecs-task-pr-42"].trust_policy;
    let trust: Value = serde_json::from_str(trust).unwrap();
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "ecs-tasks.amazonaws.com"
    );
    assert_eq!(
        task["Statement"][2]["Resource"],
        "arn:aws:rds-db:us-west-2:123456789012:dbuser:*/catalog_app"
    );
    assert_eq!(
        task["Statement"][3]["Resource"],
        serde_json::json!([
            "arn:aws:elasticache:us-west-2:123456789012:replicationgroup:redis-pr-42",
            "arn:aws:elasticache:us-west-2:123456789012:user:redis-pr-42-app"
        ])
    );
    assert_eq!(
        task["Statement"][4]["Condition"]["StringEquals"]["cloudwatch:namespace"],
        "catalog-api-pr-42"
    );
}

#[tokio::test]
async fn a_cluster_resource_id_narrows_rds_db_connect_to_that_cluster() {
    let fake = Fake::default();
    let mut outputs = inputs();
    outputs["database"]["dbClusterResourceId"] = json!("cluster-ABCDEF");
    handle(&fake, &settings(None), request("create", spec(), outputs))
        .await
        .unwrap();
    let task = document(&fake, "role-ecs-task-pr-42", TASK_POLICY);
    assert_eq!(
        task["Statement"][2]["Resource"],
        "arn:aws:rds-db:us-west-2:123456789012:dbuser:cluster-ABCDEF/catalog_app"
    );
}
