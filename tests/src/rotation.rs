//! A rotation under test: a PostgreSQL user and its secret in moto, and the four steps run the way
//! Secrets Manager runs them. The rotation tests and the benchmark share it.
//!
//! moto cannot start a rotation the way Secrets Manager does (its RotateSecret either invokes a
//! Lambda or completes at once, tools/emulator/README.md), so the fixture plays Secrets Manager: createSecret runs
//! through the library with a store that shows the token as a new AWSPENDING version without a value
//! (what RotateSecret creates), and every later step runs through the `rotation` binary, as Lambda
//! would, against moto and PostgreSQL directly.

use crate::emulator::emulator;
use crate::functions::{invoke, Invocation};
use crate::postgres::{Scratch, HOST, PORT, TEST_CA};
use aws_sdk_secretsmanager::types::RotationRulesType;
use aws_sdk_secretsmanager::Client;
use env_core::AwsCallError;
use rotation::cache::{AwsCache, CacheSide};
use rotation::config::PasswordPolicy;
use rotation::database::{Database, Login, Session};
use rotation::error::RotationError;
use rotation::event::{RotationEvent, Step};
use rotation::postgres::{tls_config, Postgres};
use rotation::protocol::Outcome;
use rotation::redis::Redis;
use rotation::secret::Password;
use rotation::{Function, Parts};
use secrets::versions::{SecretMetadata, SecretVersions, Selector, VersionEntry, AWSPENDING};
use secrets::{PasswordRules, Secrets};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

pub const INITIAL_PASSWORD: &str = "Initial-Password-1";
pub const MASTER_PASSWORD: &str = "Master-Password-1";

pub fn postgres() -> Postgres {
    Postgres::new(
        tls_config(Path::new(TEST_CA)).expect("the test CA loads"),
        Duration::from_secs(3),
    )
}

/// What the function rotates with in this process: PostgreSQL and the cache side, for real.
pub fn parts(config: &aws_config::SdkConfig) -> Parts<Postgres, AwsCache> {
    Parts {
        database: postgres(),
        policy: PasswordPolicy::default(),
        cache: cache_side(config),
    }
}

/// The real ElastiCache, ECS and Redis clients, trusting the test CA (the local servers' own).
pub fn cache_side(config: &aws_config::SdkConfig) -> CacheSide<AwsCache> {
    let tls = rotation::redis::tls_config(Path::new(TEST_CA)).expect("the test CA loads");
    CacheSide {
        client: AwsCache::new(config, Redis::new(tls, Duration::from_secs(3))),
        service: None,
        wait: Duration::from_secs(10),
        poll: Duration::from_millis(200),
    }
}

/// Whether these credentials log in over verified TLS; any failure but a refused login is a bug.
pub async fn logs_in(user: &str, password: &str, dbname: &str) -> bool {
    let password = Password::new(password);
    let login = Login {
        host: HOST,
        port: PORT,
        dbname,
        username: user,
        password: &password,
    };
    match postgres().connect(login).await {
        Ok(mut session) => {
            session.check().await.expect("SELECT 1 runs");
            true
        }
        Err(error) if error.is_login_rejected() => false,
        Err(error) => panic!("{}", env_core::error::error_chain(&error)),
    }
}

pub async fn client() -> Client {
    Client::new(&emulator().sdk_config().await)
}

/// A secret in moto; with `rotation`, rotation enabled on a 30-day schedule (moto then moves
/// AWSCURRENT to a copy of the value, the original version becoming AWSPREVIOUS).
pub async fn create_secret(client: &Client, name: &str, value: &Value, rotation: bool) -> String {
    let arn = client
        .create_secret()
        .name(name)
        .secret_string(value.to_string())
        .send()
        .await
        .expect("CreateSecret")
        .arn()
        .expect("an ARN")
        .to_owned();
    if rotation {
        client
            .rotate_secret()
            .secret_id(&arn)
            .rotation_rules(
                RotationRulesType::builder()
                    .automatically_after_days(30)
                    .build(),
            )
            .rotate_immediately(false)
            .send()
            .await
            .expect("RotateSecret enables rotation");
    }
    arn
}

/// A user of a scratch database and its secret, rotation enabled.
#[derive(Debug)]
pub struct Fixture {
    pub scratch: Scratch,
    pub client: Client,
    pub secret: String,
    pub user: String,
}

pub async fn fixture_for(
    user_name: Option<String>,
    alternating: bool,
    master_options: &str,
) -> Fixture {
    let mut scratch = Scratch::new().await;
    let prefix = scratch.prefix.clone();
    let user_name = user_name.unwrap_or_else(|| format!("{prefix}_app"));
    let user = scratch.role(&user_name, INITIAL_PASSWORD, "").await;
    let client = client().await;
    let mut value = json!({"engine": "postgres", "host": HOST, "port": PORT, "username": user,
        "password": INITIAL_PASSWORD, "dbname": scratch.dbname});
    if alternating {
        let admin = scratch
            .role(&format!("{prefix}_admin"), MASTER_PASSWORD, master_options)
            .await;
        // The shape of an RDS-managed master secret: a user name and a password, nothing else.
        let master = json!({"username": admin, "password": MASTER_PASSWORD});
        value["masterarn"] =
            json!(create_secret(&client, &format!("db-master-{prefix}"), &master, false).await);
        scratch.drop_role_later(&format!("{user}_clone"));
    }
    let secret = create_secret(&client, &format!("db-app-{prefix}"), &value, true).await;
    Fixture {
        scratch,
        client,
        secret,
        user,
    }
}

pub async fn fixture(alternating: bool) -> Fixture {
    fixture_for(None, alternating, "CREATEROLE").await
}

/// The real store, with the token shown as RotateSecret leaves it: AWSPENDING, no value yet.
#[derive(Debug)]
pub struct StartedRotation {
    pub inner: Secrets,
    pub token: String,
}

impl SecretVersions for StartedRotation {
    async fn describe(&self, secret_id: &str) -> Result<SecretMetadata, AwsCallError> {
        let mut metadata = self.inner.describe(secret_id).await?;
        if !metadata.versions.contains_key(&self.token) {
            for stages in metadata.versions.values_mut() {
                stages.retain(|stage| stage != AWSPENDING);
            }
            metadata
                .versions
                .insert(self.token.clone(), vec![AWSPENDING.to_owned()]);
        }
        Ok(metadata)
    }

    async fn value(
        &self,
        secret_id: &str,
        selector: Selector<'_>,
    ) -> Result<Option<String>, AwsCallError> {
        self.inner.value(secret_id, selector).await
    }

    async fn versions(&self, secret_id: &str) -> Result<Vec<VersionEntry>, AwsCallError> {
        self.inner.versions(secret_id).await
    }

    async fn random_password(&self, rules: &PasswordRules<'_>) -> Result<Password, AwsCallError> {
        self.inner.random_password(rules).await
    }

    async fn put_pending(
        &self,
        secret_id: &str,
        token: &str,
        value: &str,
    ) -> Result<(), AwsCallError> {
        self.inner.put_pending(secret_id, token, value).await
    }

    async fn move_stage(
        &self,
        secret_id: &str,
        stage: &str,
        to: Option<&str>,
        from: Option<&str>,
    ) -> Result<(), AwsCallError> {
        self.inner.move_stage(secret_id, stage, to, from).await
    }
}

impl Fixture {
    /// createSecret, as the first invocation after RotateSecret.
    pub async fn create(&self, token: &str) -> Result<Outcome, RotationError> {
        self.in_process(token, Step::Create).await
    }

    /// One step in this process, with `token` shown as RotateSecret leaves it until createSecret
    /// stores its value: what moto cannot show, a step called before createSecret.
    pub async fn in_process(&self, token: &str, step: Step) -> Result<Outcome, RotationError> {
        let store = StartedRotation {
            inner: Secrets::new(&emulator().sdk_config().await),
            token: token.to_owned(),
        };
        let event = RotationEvent {
            secret_id: self.secret.clone(),
            client_request_token: token.to_owned(),
            step,
        };
        let function = Function::new(store, parts(&emulator().sdk_config().await));
        function.handle(event).await.map(|result| result.outcome)
    }

    /// What the CancelRotateSecret documentation advises for a stuck rotation: AWSPENDING removed
    /// from the version that holds it.
    pub async fn clear_pending(&self, token: &str) {
        self.client
            .update_secret_version_stage()
            .secret_id(&self.secret)
            .version_stage(AWSPENDING)
            .remove_from_version_id(token)
            .send()
            .await
            .expect("UpdateSecretVersionStage removes AWSPENDING");
    }

    /// `count` invocations of one step at the same time, each its own process, as Lambda would
    /// run duplicates.
    pub fn step_concurrently(&self, token: &str, step: &str, count: usize) -> Vec<Invocation> {
        std::thread::scope(|scope| {
            let running: Vec<_> = (0..count)
                .map(|_| scope.spawn(|| self.step(token, step)))
                .collect();
            running
                .into_iter()
                .map(|invocation| invocation.join().expect("the invocation thread ends"))
                .collect()
        })
    }

    /// One step through the `rotation` binary, as Lambda runs it.
    pub fn step(&self, token: &str, step: &str) -> Invocation {
        invoke(
            "rotation",
            &json!({"SecretId": self.secret, "ClientRequestToken": token, "Step": step}),
            &function_env(),
        )
    }

    pub fn step_ok(&self, token: &str, step: &str) -> String {
        let result = self.step(token, step);
        assert!(result.success, "{step}: {} {}", result.body, result.stderr);
        assert_eq!(result.body["step"], step);
        result.body["outcome"]
            .as_str()
            .expect("an outcome")
            .to_owned()
    }

    pub fn step_error(&self, token: &str, step: &str) -> (String, String) {
        let result = self.step(token, step);
        assert!(!result.success, "{step} should fail: {}", result.body);
        assert_eq!(result.exit_code, Some(1));
        (
            result.body["errorType"]
                .as_str()
                .expect("errorType")
                .to_owned(),
            result.body["errorMessage"]
                .as_str()
                .expect("errorMessage")
                .to_owned(),
        )
    }

    pub async fn rotate(&self, token: &str) {
        assert_eq!(
            self.create(token).await.expect("createSecret"),
            Outcome::PendingCreated
        );
        let set = self.step_ok(token, "setSecret");
        assert!(set == "passwordSet" || set == "roleCreated", "{set}");
        assert_eq!(self.step_ok(token, "testSecret"), "tested");
        assert_eq!(self.step_ok(token, "finishSecret"), "finished");
    }

    pub async fn value(&self, stage: &str) -> Value {
        let output = self
            .client
            .get_secret_value()
            .secret_id(&self.secret)
            .version_stage(stage)
            .send()
            .await
            .expect("GetSecretValue");
        serde_json::from_str(output.secret_string().expect("a string")).expect("JSON")
    }

    pub async fn versions(&self) -> HashMap<String, Vec<String>> {
        self.client
            .describe_secret()
            .secret_id(&self.secret)
            .send()
            .await
            .expect("DescribeSecret")
            .version_ids_to_stages()
            .cloned()
            .unwrap_or_default()
    }

    pub async fn version_with(&self, stage: &str) -> Option<String> {
        self.versions()
            .await
            .into_iter()
            .find(|(_, stages)| stages.iter().any(|s| s == stage))
            .map(|(version, _)| version)
    }

    pub async fn stage_logs_in(&self, stage: &str) -> bool {
        let value = self.value(stage).await;
        logs_in(
            value["username"].as_str().expect("username"),
            value["password"].as_str().expect("password"),
            &self.scratch.dbname,
        )
        .await
    }

    /// Writes a pending value directly (a hand-made or corrupted pending version).
    pub async fn put_pending(&self, token: &str, value: Value) {
        self.client
            .put_secret_value()
            .secret_id(&self.secret)
            .client_request_token(token)
            .secret_string(value.to_string())
            .version_stages(AWSPENDING)
            .send()
            .await
            .expect("PutSecretValue");
    }
}

pub fn function_env() -> Vec<(&'static str, String)> {
    let mut env = emulator().env();
    env.push(("DB_CA_BUNDLE", TEST_CA.to_owned()));
    env.push(("DB_CONNECT_TIMEOUT_SECONDS", "3".to_owned()));
    env
}

pub fn token(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}
