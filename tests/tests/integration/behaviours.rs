//! A whole lifecycle against an emulator that answers as AWS does where moto is kinder
//! (tools/emulator/README.md, "AWS behaviours"): roles and keys not yet usable right after they are
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

use env_core::naming::NameKind;
use env_core::spec::EnvironmentSuffix;
use integration_tests::backend::{deploy_built, envctl, put_access_log};
use integration_tests::emulator::Emulator;
use integration_tests::leftovers::leftovers_in;
use integration_tests::postgres::{superuser, TEST_CA};
use integration_tests::rotation::logs_in;
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
    /// Held while the emulator maps Aurora to the machine's PostgreSQL (dropped after it: fields
    /// drop in order).
    _stand_in: Option<std::sync::MutexGuard<'static, ()>>,
}

impl Behaving {
    /// The emulator's report once every rotation it started has ended: the token's may still
    /// wait for its new token to be applied when the provision is READY (nothing waits for it).
    fn rotations_ended(&self) -> Value {
        let deadline = Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let report = self.emulator.rotations();
            let running = report["rotations"]
                .as_array()
                .expect("a list")
                .iter()
                .any(|run| {
                    run["rotated"] != json!(true)
                        && run.get("error").is_none()
                        && run["steps"].as_array().is_some_and(|steps| {
                            steps.len() < 4 && steps.iter().all(|step| step["ok"] == json!(true))
                        })
                });
            if !running || Instant::now() > deadline {
                return report;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }

    /// With `postgres`, the machine's PostgreSQL stands in for the Aurora cluster and the
    /// emulator runs the rotation Secrets Manager starts (tools/emulator/local_rotation.py).
    fn deploy(name: &str, postgres: bool) -> Self {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let dir = std::env::temp_dir().join(format!("behaviours-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let behave = std::env::var("CATALOG_BEHAVE").unwrap_or_else(|_| "all".to_owned());
        let stand_in = postgres.then(integration_tests::postgres::stand_in);
        let emulator = if postgres {
            Emulator::behaving_on_postgres(&behave)
        } else {
            Emulator::behaving(&behave)
        };
        let config = runtime.block_on(emulator.sdk_config());
        let manifest = deploy_built(&emulator, &dir);
        Self {
            runtime,
            emulator,
            config,
            manifest,
            dir,
            behave,
            _stand_in: stand_in,
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
    let backend = Behaving::deploy("lifecycle", true);
    let suffix = unique_suffix();
    let input = json!({"spec": super::workflow::spec(&suffix)});
    let (provision, provision_secs) = backend.run("provision", &input, &[]);
    assert!(
        provision.succeeded,
        "{:?}: {}",
        provision.cause, provision.log
    );
    let rotated_secs = backend.assert_rotated_for_real(&suffix);

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
    assert_eq!(
        backend.runtime.block_on(postgres_leftovers()),
        Vec::<String>::new(),
        "the cluster's database and users are gone from the local PostgreSQL"
    );
    println!(
        "provision {provision_secs:.1} s (first rotations {rotated_secs:.2} s), resumed teardown {teardown_secs:.1} s"
    );
    backend.finish(BEHAVIOURS);
}

impl Behaving {
    /// The first rotations ran, as Secrets Manager runs them, the deployed rotation package's four
    /// steps: of the database credentials against the local PostgreSQL over verified TLS (the
    /// database function saw it end: the provision is READY only then), whose current and previous
    /// users then log in while a wrong password is refused; and of the API keys, both of whose
    /// versions are then readable; and of the Redis AUTH token against the emulator's Redis server,
    /// which then takes both tokens. Returns the rotations' seconds.
    fn assert_rotated_for_real(&self, suffix: &EnvironmentSuffix) -> f64 {
        let report = self.rotations_ended();
        assert_eq!(
            report["postgres"],
            json!({"host": "localhost", "port": 5432, "passwordsChecked": true}),
            "{report}"
        );
        let names = env_core::naming::Names::new(suffix);
        let (app, api_keys, token) = (
            names.of(NameKind::DatabaseSecret),
            names.of(NameKind::ApiKeysSecret),
            names.of(NameKind::CacheAuthSecret),
        );
        let runs = report["rotations"].as_array().expect("a list");
        assert_eq!(runs.len(), 3, "{report}");
        for secret in [&app, &api_keys, &token] {
            let run = runs
                .iter()
                .find(|run| {
                    run["secretId"]
                        .as_str()
                        .is_some_and(|arn| arn.contains(&format!(":secret:{secret}-")))
                })
                .unwrap_or_else(|| panic!("{secret} rotated: {report}"));
            assert_eq!(run["rotated"], json!(true), "{report}");
            let steps: Vec<&str> = run["steps"]
                .as_array()
                .expect("steps")
                .iter()
                .map(|step| step["step"].as_str().expect("a name"))
                .collect();
            assert_eq!(
                steps,
                ["createSecret", "setSecret", "testSecret", "finishSecret"]
            );
        }
        self.runtime.block_on(async {
            let secrets = aws_sdk_secretsmanager::Client::new(&self.config);
            let value = |id: &str, stage: &'static str| {
                let request = secrets
                    .get_secret_value()
                    .secret_id(id)
                    .version_stage(stage);
                async move {
                    let text = request
                        .send()
                        .await
                        .expect("the version is there")
                        .secret_string
                        .expect("a string");
                    serde_json::from_str::<Value>(&text).expect("JSON")
                }
            };
            // Both API keys readable: the new one and, for a whole period, the one before.
            let (key, previous_key) = (
                value(&api_keys, "AWSCURRENT").await,
                value(&api_keys, "AWSPREVIOUS").await,
            );
            let key = key["apiKey"].as_str().expect("a key");
            assert_eq!(key.len(), 40);
            assert!(key.chars().all(|c| c.is_ascii_alphanumeric()), "{key}");
            assert_ne!(Some(key), previous_key["apiKey"].as_str());
            let (current, previous) = (
                value(&app, "AWSCURRENT").await,
                value(&app, "AWSPREVIOUS").await,
            );
            assert_eq!(
                (&current["host"], &current["port"], &current["dbname"]),
                (&json!("localhost"), &json!(5432), &json!("catalog"))
            );
            assert_eq!(current["username"], "catalog_app_clone");
            assert_eq!(previous["username"], "catalog_app");
            for version in [&current, &previous] {
                let user = version["username"].as_str().expect("a user");
                let password = version["password"].as_str().expect("a password");
                assert!(logs_in(user, password, "catalog").await, "{user} logs in");
                assert!(
                    !logs_in(user, &format!("{password}x"), "catalog").await,
                    "a wrong password is refused for {user}"
                );
            }
            // Both Redis AUTH tokens taken by the server standing in for the group: the new one
            // and the one tasks that started before the rotation hold.
            let (current, previous) = (
                value(&token, "AWSCURRENT").await,
                value(&token, "AWSPREVIOUS").await,
            );
            assert_ne!(current["authToken"], previous["authToken"]);
            assert_eq!(current["host"], "localhost");
            let port = u16::try_from(current["port"].as_u64().expect("a port")).expect("a port");
            for version in [&current, &previous] {
                let taken = token_taken(port, version["authToken"].as_str().expect("a token"));
                assert!(taken.await, "{version}");
            }
            assert!(!token_taken(port, "not-the-token-0123456789").await);
        });
        runs.iter()
            .flat_map(|run| run["steps"].as_array().expect("steps"))
            .map(|step| step["ms"].as_f64().unwrap_or_default() / 1000.0)
            .sum()
    }
}

/// Whether the Redis server at localhost:`port` takes `token` (AUTH over verified TLS).
async fn token_taken(port: u16, token: &str) -> bool {
    use rotation::cache::{TokenCheck, TokenRejected};
    let tls = rotation::redis::tls_config(std::path::Path::new(TEST_CA)).expect("the test CA");
    let redis = rotation::redis::Redis::new(tls, std::time::Duration::from_secs(3));
    match redis.accepts("localhost", port, token).await {
        Ok(()) => true,
        Err(TokenRejected::Refused(_)) => false,
        Err(error) => panic!("{error}"),
    }
}

/// What the Aurora stand-in leaves in the local PostgreSQL: the database function's database and
/// users, by their fixed names.
async fn postgres_leftovers() -> Vec<String> {
    superuser()
        .await
        .query(
            "SELECT datname::text FROM pg_database WHERE datname = 'catalog' UNION ALL \
             SELECT rolname::text FROM pg_roles WHERE rolname IN ('catalog_admin', 'catalog_app', 'catalog_app_clone')",
            &[],
        )
        .await
        .expect("the catalog is readable")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[test]
fn a_provision_that_fails_rolls_back_to_nothing() {
    let backend = Behaving::deploy("rollback", false);
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
