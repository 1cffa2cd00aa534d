//! A whole lifecycle against an emulator that answers as AWS does where moto is kinder
//! (tests/emulator/README.md, "AWS behaviours"): roles and keys not yet usable right after they are
//! made, Lambda functions Pending and updates in progress, Aurora busy, Cloud Map services still
//! holding ECS's instances, a load balancer writing access logs into the bucket being emptied, the
//! rotation function's network interfaces holding its subnets and groups after it is deleted, and
//! calls throttled. The backend is this build, deployed by `envctl local deploy` (the code of
//! `envctl deploy`), and the workflows run as deployed: the deployed definitions, each function's
//! deployed package with its deployed settings, signing as its role, so the layer acts on all of
//! them; the tests' own setup and checks pass untouched.
//!
//! A provision, a teardown stopped half-way and run again, and a provision that fails and rolls
//! back must each finish with nothing left, and each behaviour switched on must have fired.

use env_core::spec::EnvironmentSuffix;
use integration_tests::backend::{deploy_built, envctl, put_access_log};
use integration_tests::emulator::Emulator;
use integration_tests::leftovers::leftovers_in;
use integration_tests::unique_suffix;
use integration_tests::workflow::{run_deployed, Execution};
use serde_json::{json, Value};
use std::time::Instant;

/// Every behaviour, throttling included (5 % of calls, seeded: the same calls every run).
const BEHAVIOURS: &[&str] = &[
    "role_propagation",
    "throttling",
    "lambda_updates",
    "late_access_logs",
    "rds_busy",
    "cloudmap_in_use",
    "lambda_enis",
    "kms_key_propagation",
];

/// A backend deployed by `envctl deploy` into an emulator of its own behaving as `CATALOG_BEHAVE`
/// says (the launcher's `--behave` list; default `all`): `CATALOG_BEHAVE=none` runs the same
/// lifecycle against plain moto, for comparison.
struct Behaving {
    runtime: tokio::runtime::Runtime,
    emulator: Emulator,
    config: aws_config::SdkConfig,
    manifest: std::path::PathBuf,
    dir: std::path::PathBuf,
    behave: String,
}

impl Behaving {
    fn deploy(name: &str) -> Self {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let dir = std::env::temp_dir().join(format!("behaviours-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let behave = std::env::var("CATALOG_BEHAVE").unwrap_or_else(|_| "all".to_owned());
        let emulator = Emulator::behaving(&behave);
        let config = runtime.block_on(emulator.sdk_config());
        let manifest = deploy_built(&emulator, &dir);
        Self {
            runtime,
            emulator,
            config,
            manifest,
            dir,
            behave,
        }
    }

    fn run(&self, workflow: &str, input: &Value, faults: &[&str]) -> (Execution, f64) {
        let started = Instant::now();
        let execution = run_deployed(
            workflow,
            input,
            &self.manifest,
            &self.emulator.env(),
            faults,
        );
        (execution, started.elapsed().as_secs_f64())
    }

    fn leftovers(&self, suffix: &EnvironmentSuffix) -> Vec<String> {
        self.runtime.block_on(leftovers_in(&self.config, suffix))
    }

    /// Undeploys, prints what the layer did, and checks that every behaviour switched on fired:
    /// one that never fires proves nothing about the code that handles it.
    fn finish(self, must_fire: &[&str]) {
        envctl(&self.emulator, &["undeploy", "--force"]);
        std::fs::remove_dir_all(&self.dir).expect("the scratch directory is removed");
        if self.behave == "none" {
            // Plain moto: no layer, nothing to count.
            return;
        }
        let counters = self.emulator.behaviours();
        println!("AWS behaviours met: {}", summary(&counters));
        for behaviour in must_fire {
            let counted = &counters["behaviours"][behaviour];
            if counted["enabled"] == json!(true) {
                assert!(
                    counted["fired"].as_u64().unwrap_or_default() > 0,
                    "{behaviour} never fired: {counted}"
                );
            }
        }
    }
}

#[test]
fn a_lifecycle_with_a_teardown_interrupted_and_resumed_leaves_nothing() {
    let backend = Behaving::deploy("lifecycle");
    let suffix = unique_suffix();
    let input = json!({"spec": super::workflow::spec(&suffix)});
    let (provision, provision_secs) = backend.run("provision", &input, &[]);
    assert!(
        provision.succeeded,
        "{:?}: {}",
        provision.cause, provision.log
    );

    // The load balancer has written a log object: the teardown has a bucket to empty.
    backend
        .runtime
        .block_on(put_access_log(&backend.config, &suffix));

    // The teardown stops at the network; run again, it finishes what is left.
    let (interrupted, _) = backend.run("teardown", &input, &["network:delete"]);
    assert!(
        !interrupted.succeeded,
        "the injected fault stops the teardown"
    );
    assert!(!backend.leftovers(&suffix).is_empty());
    let (teardown, teardown_secs) = backend.run("teardown", &input, &[]);
    assert!(teardown.succeeded, "{:?}: {}", teardown.cause, teardown.log);
    assert_eq!(backend.leftovers(&suffix), Vec::<String>::new());
    println!("provision {provision_secs:.1} s, resumed teardown {teardown_secs:.1} s");
    backend.finish(BEHAVIOURS);
}

#[test]
fn a_provision_that_fails_rolls_back_to_nothing() {
    let backend = Behaving::deploy("rollback");
    let suffix = unique_suffix();
    let input = json!({"spec": super::workflow::spec(&suffix)});
    let (rollback, rollback_secs) = backend.run("provision", &input, &["service:create"]);
    assert!(
        !rollback.succeeded,
        "the injected fault fails the provision"
    );
    assert!(rollback.log.contains("teardown: "), "{}", rollback.log);
    assert_eq!(backend.leftovers(&suffix), Vec::<String>::new());
    println!("provision rolled back in {rollback_secs:.1} s");
    // What a provision and its rollback meet before the service: new roles and keys, busy
    // functions and databases, detached interfaces, throttling.
    backend.finish(&[
        "role_propagation",
        "throttling",
        "lambda_updates",
        "rds_busy",
        "lambda_enis",
        "kms_key_propagation",
    ]);
}

/// `behaviour: code×n, …` for each behaviour that fired: the calls retried per cause.
fn summary(counters: &Value) -> String {
    BEHAVIOURS
        .iter()
        .map(|behaviour| {
            let counted = &counters["behaviours"][behaviour];
            let causes: Vec<String> = ["errors", "reports"]
                .iter()
                .filter_map(|kind| counted[kind].as_object())
                .flatten()
                .map(|(cause, n)| format!("{cause}×{n}"))
                .collect();
            format!("{behaviour} [{}]", causes.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}
