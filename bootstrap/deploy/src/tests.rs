//! `deploy` and `undeploy` against the in-memory fake.

use super::apply::{deploy, deploy_with_pool, undeploy, Change, Packages};
use super::fake::FakeCloud;
use super::pool::PoolSettings;
use crate::policies::FUNCTIONS;
use envctl_common::progress::Progress;
use std::path::PathBuf;

/// A packages directory with a small zip per function, in both layouts cargo-lambda and CI use.
pub(crate) fn packages(tag: &str, content: &str) -> Packages {
    let dir = std::env::temp_dir().join(format!("envctl-packages-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, function) in FUNCTIONS
        .iter()
        .map(|policy| policy.function)
        .chain(["rotation"])
        .enumerate()
    {
        let body = if function == "rotation" {
            // Deploy adds the CA bundle to this one, so it has to be a zip.
            zip_of("bootstrap", &format!("{function}:{content}"))
        } else {
            format!("{function}:{content}").into_bytes()
        };
        if i % 2 == 0 {
            std::fs::write(dir.join(format!("{function}.zip")), body).unwrap();
        } else {
            std::fs::create_dir_all(dir.join(function)).unwrap();
            std::fs::write(dir.join(function).join("bootstrap.zip"), body).unwrap();
        }
    }
    shipped(dir)
}

/// The packages in `dir`, the rotation package getting the shipped RDS CA bundle.
fn shipped(dir: PathBuf) -> Packages {
    Packages {
        dir,
        ca_bundle: super::rotation_package::CaBundle::shipped(),
    }
}

fn zip_of(name: &str, content: &str) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer
        .start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    writer.write_all(content.as_bytes()).unwrap();
    writer.finish().unwrap().into_inner()
}

pub(crate) fn run_deploy(
    cloud: &FakeCloud,
    packages: &Packages,
    architecture: &str,
) -> anyhow::Result<Vec<(String, Change)>> {
    let mut err = Vec::new();
    let mut progress = Progress::new(&mut err, false);
    let outcomes = envctl_common::sdk::runtime().unwrap().block_on(deploy(
        cloud,
        packages,
        "us-west-2",
        architecture,
        &mut progress,
    ))?;
    Ok(outcomes
        .into_iter()
        .map(|outcome| (format!("{} {}", outcome.kind, outcome.name), outcome.change))
        .collect())
}

#[test]
fn a_first_deploy_creates_each_resource_once_and_a_second_changes_nothing() {
    let cloud = FakeCloud::default();
    let packages = packages("twice", "v1");
    let first = run_deploy(&cloud, &packages, "x86_64").unwrap();
    // bucket, object, the roles' boundary, a role and a function per function, the waker's
    // permission for the load balancers, the states role, three machines, the scheduler role and
    // the schedule.
    assert_eq!(first.len(), 2 + 1 + 2 * FUNCTIONS.len() + 1 + 1 + 3 + 1 + 1);
    assert!(first.contains(&("state machine claim".to_owned(), Change::Created)));
    assert!(
        first.iter().all(|(_, change)| *change == Change::Created),
        "{first:?}"
    );
    let creates = cloud.calls.borrow().len();
    let second = run_deploy(&cloud, &packages, "x86_64").unwrap();
    assert!(
        second
            .iter()
            .all(|(_, change)| *change == Change::Unchanged),
        "{second:?}"
    );
    assert_eq!(
        cloud.calls.borrow().len(),
        creates + 1,
        "only GetCallerIdentity again"
    );
    let database = cloud.functions.borrow()["database"].clone();
    assert_eq!(
        database.environment["ROTATION_CODE_BUCKET"],
        "catalog-environments-123456789012-us-west-2"
    );
    assert!(database.environment["ROTATION_CODE_KEY"].starts_with("rotation/"));
    // The hash Lambda will report for that object, so the database function can tell a rotation
    // function made from an older package.
    let package = cloud.objects.borrow()[&database.environment["ROTATION_CODE_KEY"]].clone();
    assert_eq!(
        database.environment["ROTATION_CODE_SHA256"],
        super::apply::code_sha256(&package)
    );
    assert_eq!(database.environment["ROTATION_ARCHITECTURE"], "x86_64");
    // The functions that create roles get the boundary those roles carry; the cleanup, the
    // teardown it starts.
    let boundary = "arn:aws:iam::123456789012:policy/catalog-environments-role-boundary";
    for function in ["network", "database", "service"] {
        let settings = &cloud.functions.borrow()[function].environment;
        assert_eq!(
            settings["ROLE_PERMISSIONS_BOUNDARY"], boundary,
            "{function}"
        );
    }
    assert!(!cloud.functions.borrow()["edge"]
        .environment
        .contains_key("ROLE_PERMISSIONS_BOUNDARY"));
    // The cleanup: the machines it starts, and no pool (no --pool-size).
    let machine = |name: &str| format!("arn:aws:states:us-west-2:123456789012:stateMachine:{name}");
    let cleanup = cloud.functions.borrow()["cleanup"].environment.clone();
    assert_eq!(
        cleanup,
        [
            ("CLAIM_STATE_MACHINE_ARN", machine("claim")),
            ("PROVISION_STATE_MACHINE_ARN", machine("provision")),
            ("TEARDOWN_STATE_MACHINE_ARN", machine("teardown")),
        ]
        .map(|(key, value)| (key.to_owned(), value))
        .into_iter()
        .collect()
    );
    // The claim as deployed: its placeholders replaced, under the states role.
    let claim = cloud.machines.borrow()[&machine("claim")].clone();
    assert!(claim.definition.contains(&machine("teardown")));
    assert!(!claim.definition.contains("${"));
    assert_eq!(
        claim.role_arn,
        "arn:aws:iam::123456789012:role/catalog-environments-states"
    );
    let document = cloud.managed_policies.borrow()[boundary].clone();
    assert!(document["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .all(|statement| !statement["Action"].to_string().contains("iam:")));
    // Step Functions and the scheduler may assume their roles for this account only.
    for role in [
        "catalog-environments-states",
        "catalog-environments-scheduler",
    ] {
        let trust = cloud.roles.borrow()[role].trust.clone();
        assert_eq!(
            trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"], "123456789012",
            "{role}"
        );
    }
    assert_eq!(
        database.role_arn,
        "arn:aws:iam::123456789012:role/catalog-fn-database"
    );
    let schedule = cloud.schedules.borrow()["catalog-environments-cleanup"].clone();
    assert_eq!(schedule.expression, "rate(1 hour)");
    assert_eq!(
        schedule.target_arn,
        "arn:aws:lambda:us-west-2:123456789012:function:cleanup"
    );
}

#[test]
fn new_code_or_architecture_updates_only_the_functions_and_the_rotation_object() {
    let cloud = FakeCloud::default();
    run_deploy(&cloud, &packages("update-1", "v1"), "x86_64").unwrap();
    let changed = run_deploy(&cloud, &packages("update-2", "v2"), "arm64").unwrap();
    let updated: Vec<&str> = changed
        .iter()
        .filter(|(_, change)| *change != Change::Unchanged)
        .map(|(name, _)| name.as_str())
        .collect();
    let mut expected = vec!["object rotation/".to_owned()];
    expected.extend(FUNCTIONS.iter().map(|p| format!("function {}", p.function)));
    assert_eq!(updated.len(), expected.len(), "{updated:?}");
    assert!(updated[0].starts_with("object rotation/"));
    assert_eq!(cloud.functions.borrow()["network"].architecture, "arm64");
    // The rotation function each environment creates follows the architecture of the build.
    assert_eq!(
        cloud.functions.borrow()["database"].environment["ROTATION_ARCHITECTURE"],
        "arm64"
    );
    // The database function follows the new rotation object: code and configuration both change.
    let calls = cloud.calls.borrow();
    assert!(calls.contains(&"UpdateFunctionConfiguration database".to_owned()));
    assert!(!calls.contains(&"UpdateFunctionConfiguration network".to_owned()));
}

#[test]
fn drifted_roles_machines_and_schedules_are_put_back() {
    let cloud = FakeCloud::default();
    let packages = packages("drift", "v1");
    run_deploy(&cloud, &packages, "x86_64").unwrap();
    cloud
        .roles
        .borrow_mut()
        .get_mut("catalog-fn-cache")
        .unwrap()
        .trust = serde_json::json!({});
    cloud
        .roles
        .borrow_mut()
        .get_mut("catalog-fn-edge")
        .unwrap()
        .policy = None;
    for machine in cloud.machines.borrow_mut().values_mut() {
        machine.definition = "{}".into();
    }
    cloud
        .schedules
        .borrow_mut()
        .values_mut()
        .for_each(|schedule| schedule.expression = "rate(1 day)".into());
    let again = run_deploy(&cloud, &packages, "x86_64").unwrap();
    let updated: Vec<&str> = again
        .iter()
        .filter(|(_, change)| *change == Change::Updated)
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        updated,
        [
            "role catalog-fn-cache",
            "role catalog-fn-edge",
            "state machine teardown",
            "state machine provision",
            "state machine claim",
            "schedule catalog-environments-cleanup"
        ]
    );
}

#[test]
fn a_missing_package_names_the_function_and_both_layouts() {
    let cloud = FakeCloud::default();
    let error = run_deploy(&cloud, &shipped(PathBuf::from("/nonexistent")), "x86_64").unwrap_err();
    assert_eq!(
        error.to_string().split(" (").next().unwrap(),
        "reading the package of rotation"
    );
    assert!(error
        .to_string()
        .contains("/nonexistent/rotation/bootstrap.zip"));
}

#[test]
fn a_region_the_ca_bundle_does_not_cover_is_refused_before_any_call() {
    let cloud = FakeCloud::default();
    let mut err = Vec::new();
    let mut progress = Progress::new(&mut err, false);
    let error = envctl_common::sdk::runtime()
        .unwrap()
        .block_on(deploy(
            &cloud,
            &packages("region", "v1"),
            "mx-central-1",
            "x86_64",
            &mut progress,
        ))
        .unwrap_err();
    assert!(
        error.to_string().starts_with(
            "region \"mx-central-1\": the shipped RDS CA bundle holds no Amazon RDS root CA"
        ),
        "{error}"
    );
    assert!(cloud.calls.borrow().is_empty());
}

#[test]
fn an_aws_failure_stops_the_deploy_with_the_call_named() {
    let cloud = FakeCloud {
        failing: Some("CreateStateMachine"),
        ..FakeCloud::default()
    };
    let error = run_deploy(&cloud, &packages("fail", "v1"), "x86_64").unwrap_err();
    assert_eq!(
        error.to_string(),
        "CreateStateMachine teardown: AccessDenied: not authorized"
    );
}

pub(crate) fn run_undeploy(
    cloud: &FakeCloud,
    force: bool,
) -> anyhow::Result<Vec<(String, Change)>> {
    let mut err = Vec::new();
    let mut progress = Progress::new(&mut err, false);
    let outcomes = envctl_common::sdk::runtime().unwrap().block_on(undeploy(
        cloud,
        "us-west-2",
        force,
        &mut progress,
    ))?;
    Ok(outcomes
        .into_iter()
        .map(|outcome| (format!("{} {}", outcome.kind, outcome.name), outcome.change))
        .collect())
}

#[test]
fn a_changed_boundary_is_updated_as_a_new_default_version() {
    let cloud = FakeCloud::default();
    let packages = packages("boundary", "v1");
    run_deploy(&cloud, &packages, "x86_64").unwrap();
    let boundary = "arn:aws:iam::123456789012:policy/catalog-environments-role-boundary";
    cloud
        .managed_policies
        .borrow_mut()
        .insert(boundary.into(), serde_json::json!({"Statement": []}));
    let second = run_deploy(&cloud, &packages, "x86_64").unwrap();
    assert!(second.contains(&(
        "policy catalog-environments-role-boundary".to_owned(),
        Change::Updated
    )));
    assert!(cloud
        .calls
        .borrow()
        .contains(&format!("CreatePolicyVersion {boundary}")));
    assert_ne!(
        cloud.managed_policies.borrow()[boundary],
        serde_json::json!({"Statement": []})
    );
}

#[test]
fn undeploy_removes_everything_and_a_second_run_finds_nothing() {
    let cloud = FakeCloud::default();
    run_deploy(&cloud, &packages("undeploy", "v1"), "x86_64").unwrap();
    let removed = run_undeploy(&cloud, false).unwrap();
    assert!(
        removed.iter().all(|(_, change)| *change == Change::Deleted),
        "{removed:?}"
    );
    assert_eq!(
        removed.len(),
        1 + 3 + FUNCTIONS.len() + FUNCTIONS.len() + 2 + 1 + 1
    );
    assert!(removed.contains(&("state machine claim".to_owned(), Change::Deleted)));
    assert!(cloud.machines.borrow().is_empty());
    assert!(cloud.roles.borrow().is_empty());
    assert!(cloud.managed_policies.borrow().is_empty());
    assert!(cloud.functions.borrow().is_empty());
    assert!(cloud.buckets.borrow().is_empty());
    let again = run_undeploy(&cloud, false).unwrap();
    assert!(
        again.iter().all(|(_, change)| *change == Change::Absent),
        "{again:?}"
    );
}

#[test]
fn undeploy_refuses_while_environments_exist_unless_forced() {
    let cloud = FakeCloud {
        environments: vec!["pr-1".into(), "pr-2".into()],
        ..FakeCloud::default()
    };
    let error = run_undeploy(&cloud, false).unwrap_err();
    assert_eq!(
        error.to_string(),
        "2 environment(s) still exist (pr-1, pr-2): tear them down first with `envctl env down`, or pass --force to remove the backend anyway"
    );
    assert!(cloud.calls.borrow().is_empty(), "nothing was called");
    assert!(run_undeploy(&cloud, true).is_ok());
}

#[test]
fn build_runs_cargo_lambda_in_the_workspace_for_the_architecture() {
    use super::apply::build_command;
    use super::command::Architecture;
    let workspace = std::path::Path::new("/some/workspace");
    for (architecture, flag) in [
        (Architecture::X86_64, "--x86-64"),
        (Architecture::Arm64, "--arm64"),
    ] {
        let command = build_command(workspace, architecture.as_str());
        assert_eq!(command.get_program(), "cargo");
        assert_eq!(command.get_current_dir(), Some(workspace));
        let args: Vec<_> = command.get_args().collect();
        assert_eq!(
            args,
            [
                "lambda",
                "build",
                "--release",
                "--output-format",
                "zip",
                flag
            ]
        );
    }
    assert_eq!(Architecture::Arm64.as_str(), "arm64");
    assert_eq!(Architecture::X86_64.as_str(), "x86_64");
}

/// Deploys with the pool `pool`.
fn run_pool_deploy(
    cloud: &FakeCloud,
    packages: &Packages,
    pool: &PoolSettings,
) -> anyhow::Result<Vec<(String, Change)>> {
    let mut err = Vec::new();
    let mut progress = Progress::new(&mut err, false);
    let outcomes = envctl_common::sdk::runtime()
        .unwrap()
        .block_on(deploy_with_pool(
            cloud,
            packages,
            ("us-west-2", "x86_64"),
            pool,
            &mut progress,
        ))?;
    Ok(outcomes
        .into_iter()
        .map(|outcome| (format!("{} {}", outcome.kind, outcome.name), outcome.change))
        .collect())
}

/// The pool settings `--pool-size size --pool-spec <spec written to a file>` give.
fn pool_of(size: u32, name: &str, spec: &serde_json::Value) -> PoolSettings {
    let file = std::env::temp_dir().join(format!(
        "envctl-deploy-pool-{}-{name}.json",
        std::process::id()
    ));
    std::fs::write(&file, spec.to_string()).unwrap();
    PoolSettings::from_args(Some(size), Some(&file)).unwrap()
}

fn pool_spec() -> serde_json::Value {
    serde_json::json!({
        "ttlHours": 168,
        "forceDestroy": true,
        "containerImage": "public.ecr.aws/acme/catalog-api:sha-1f2e3d",
        "selfSignedCertificate": true
    })
}

#[test]
fn a_pool_is_set_on_the_cleanup_only_and_a_deploy_without_one_turns_it_off() {
    let cloud = FakeCloud::default();
    let packages = packages("pool", "v1");
    let pool = pool_of(2, "two", &pool_spec());
    run_pool_deploy(&cloud, &packages, &pool).unwrap();
    let cleanup = cloud.functions.borrow()["cleanup"].environment.clone();
    assert_eq!(cleanup["POOL_SIZE"], "2");
    let mut expected = pool_spec();
    expected["standby"] = serde_json::json!(true);
    let spec: serde_json::Value = serde_json::from_str(&cleanup["POOL_SPEC"]).unwrap();
    assert_eq!(spec, expected);
    assert_eq!(cleanup.len(), 5);
    assert!(!cloud.functions.borrow()["service"]
        .environment
        .contains_key("POOL_SIZE"));

    // The same pool again changes nothing; another size changes the cleanup's settings only.
    let again = run_pool_deploy(&cloud, &packages, &pool).unwrap();
    assert!(
        again.iter().all(|(_, change)| *change == Change::Unchanged),
        "{again:?}"
    );
    let changed = run_pool_deploy(&cloud, &packages, &pool_of(3, "three", &pool_spec())).unwrap();
    let updated: Vec<&str> = changed
        .iter()
        .filter(|(_, change)| *change != Change::Unchanged)
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(updated, ["function cleanup"]);
    assert_eq!(
        cloud.functions.borrow()["cleanup"].environment["POOL_SIZE"],
        "3"
    );

    // A deploy says what the backend is: without a pool, the cleanup has none.
    run_deploy(&cloud, &packages, "x86_64").unwrap();
    let cleanup = cloud.functions.borrow()["cleanup"].environment.clone();
    assert!(
        !cleanup.contains_key("POOL_SIZE") && !cleanup.contains_key("POOL_SPEC"),
        "{cleanup:?}"
    );
    assert_eq!(cleanup.len(), 3);
}

#[test]
fn a_pool_spec_too_large_for_lambdas_4_kb_is_refused_before_any_call() {
    let cloud = FakeCloud::default();
    // Each quote is escaped twice, in the spec's JSON and in the environment's: 4 bytes apiece.
    let mut spec = pool_spec();
    spec["healthCheckPath"] = serde_json::json!(format!("/{}", "\"".repeat(1000)));
    let pool = pool_of(1, "large", &spec);
    let error = run_pool_deploy(&cloud, &packages("large", "v1"), &pool).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("--pool-spec: the cleanup function's environment would be "),
        "{error}"
    );
    assert!(cloud.calls.borrow().is_empty(), "nothing was called");
}
