//! The rotation function against the moto emulator and the machine's PostgreSQL, over verified TLS,
//! through the fixture of `integration_tests::rotation`. Issue 18's cases (steps out of order, stuck
//! rotations cleared by hand, roles that are not ours, concurrent duplicates) are in
//! `rotation/outside_protocol.rs`, random sequences in `rotation/sequences.rs`.

mod cache_token;
mod outside_protocol;
mod sequences;
mod sessions;

use integration_tests::emulator::emulator;
use integration_tests::functions::invoke;
use integration_tests::postgres::{quote, superuser, Scratch, HOST, PASSWORD_AUTH_GROUP, PORT};
use integration_tests::rotation::{
    client, create_secret, fixture, fixture_for, function_env, logs_in, postgres, token, Fixture,
    INITIAL_PASSWORD, MASTER_PASSWORD,
};
use rotation::database::{Database, DbError, Login};
use rotation::protocol::Outcome;
use rotation::secret::Password;
use secrets::versions::{SecretVersions, Selector, AWSCURRENT, AWSPENDING, AWSPREVIOUS};
use secrets::Secrets;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_single_user_rotation_changes_the_password_in_postgresql_and_keeps_the_old_as_previous() {
    let f = fixture(false).await;
    let before = f.scratch.verifier(&f.user).await;
    f.rotate(&token(1)).await;
    let current = f.value(AWSCURRENT).await;
    assert_eq!(current["username"], f.user.as_str());
    let password = current["password"].as_str().unwrap();
    assert_eq!(password.len(), 32);
    assert!(
        !password.chars().any(|c| ":/@\"'\\".contains(c)),
        "excluded characters"
    );
    assert!(f.stage_logs_in(AWSCURRENT).await);
    assert!(
        !logs_in(&f.user, INITIAL_PASSWORD, &f.scratch.dbname).await,
        "the old password is gone"
    );
    assert_eq!(f.value(AWSPREVIOUS).await["password"], INITIAL_PASSWORD);
    assert_eq!(f.version_with(AWSCURRENT).await, Some(token(1)));
    assert_eq!(f.version_with(AWSPENDING).await, None);
    let after = f.scratch.verifier(&f.user).await.unwrap();
    assert_ne!(before.as_deref(), Some(after.as_str()));
    assert!(
        after.starts_with("SCRAM-SHA-256$4096:"),
        "stored as a SCRAM verifier"
    );
}

#[tokio::test]
async fn three_alternating_rotations_end_on_the_clone_with_the_user_previous_and_both_logging_in() {
    let f = fixture(true).await;
    let clone = format!("{}_clone", f.user);
    f.rotate(&token(1)).await;
    assert_eq!(f.value(AWSCURRENT).await["username"], clone.as_str());
    assert!(
        f.scratch.is_member(&clone, &f.user).await,
        "the clone has the user's privileges"
    );
    assert!(f.stage_logs_in(AWSCURRENT).await);
    assert!(
        f.stage_logs_in(AWSPREVIOUS).await,
        "the previous user still logs in"
    );
    f.rotate(&token(2)).await;
    assert_eq!(f.value(AWSCURRENT).await["username"], f.user.as_str());
    assert!(f.stage_logs_in(AWSCURRENT).await);
    assert!(f.stage_logs_in(AWSPREVIOUS).await);
    f.rotate(&token(3)).await;
    let current = f.value(AWSCURRENT).await;
    let previous = f.value(AWSPREVIOUS).await;
    assert_eq!(current["username"], clone.as_str());
    assert_eq!(previous["username"], f.user.as_str());
    assert_eq!(current["masterarn"], previous["masterarn"]);
    assert!(f.stage_logs_in(AWSCURRENT).await);
    assert!(f.stage_logs_in(AWSPREVIOUS).await);
    assert!(!logs_in(&f.user, INITIAL_PASSWORD, &f.scratch.dbname).await);
    assert_eq!(f.version_with(AWSCURRENT).await, Some(token(3)));
    assert_eq!(f.version_with(AWSPENDING).await, None);
}

#[tokio::test]
async fn an_unknown_token_is_refused_as_an_invalid_event() {
    let f = fixture(false).await;
    let (name, message) = f.step_error(&token(9), "setSecret");
    assert_eq!(name, "InvalidEvent");
    assert!(
        message.ends_with(&format!("has no version {}", token(9))),
        "{message}"
    );
}

#[tokio::test]
async fn a_secret_without_rotation_enabled_is_refused() {
    let scratch = Scratch::new().await;
    let client = client().await;
    let value = json!({"host": HOST, "username": "u", "password": "p"});
    let secret = create_secret(
        &client,
        &format!("db-norotation-{}", scratch.prefix),
        &value,
        false,
    )
    .await;
    let result = invoke(
        "rotation",
        &json!({"SecretId": secret, "ClientRequestToken": token(1), "Step": "createSecret"}),
        &function_env(),
    );
    assert_eq!(result.body["errorType"], "InvalidEvent");
    assert!(result.body["errorMessage"]
        .as_str()
        .unwrap()
        .starts_with("rotation is not enabled for secret"));
}

#[tokio::test]
async fn a_version_that_is_not_pending_is_refused() {
    let f = fixture(false).await;
    let previous = f
        .version_with(AWSPREVIOUS)
        .await
        .expect("moto keeps the first version as previous");
    let (name, message) = f.step_error(&previous, "testSecret");
    assert_eq!(name, "InvalidEvent");
    assert!(message.ends_with("is not AWSPENDING"), "{message}");
}

#[tokio::test]
async fn a_token_already_current_succeeds_at_every_step_and_changes_nothing() {
    let f = fixture(true).await;
    let current = f.version_with(AWSCURRENT).await.unwrap();
    let versions = f.versions().await;
    let verifier = f.scratch.verifier(&f.user).await;
    for step in ["createSecret", "setSecret", "testSecret", "finishSecret"] {
        assert_eq!(f.step_ok(&current, step), "alreadyCurrent");
    }
    assert_eq!(f.versions().await, versions);
    assert_eq!(f.scratch.verifier(&f.user).await, verifier);
    assert!(!f.scratch.role_exists(&format!("{}_clone", f.user)).await);
}

#[tokio::test]
async fn create_secret_twice_writes_one_version() {
    let f = fixture(false).await;
    let before = f.versions().await.len();
    assert_eq!(f.create(&token(1)).await.unwrap(), Outcome::PendingCreated);
    let pending = f.value(AWSPENDING).await;
    assert_eq!(
        f.create(&token(1)).await.unwrap(),
        Outcome::PendingAlreadyExists
    );
    assert_eq!(f.step_ok(&token(1), "createSecret"), "pendingAlreadyExists");
    assert_eq!(f.versions().await.len(), before + 1);
    assert_eq!(f.value(AWSPENDING).await, pending);
}

#[tokio::test]
async fn set_secret_with_the_pending_password_already_set_changes_nothing() {
    let f = fixture(false).await;
    f.create(&token(1)).await.unwrap();
    assert_eq!(f.step_ok(&token(1), "setSecret"), "passwordSet");
    let verifier = f.scratch.verifier(&f.user).await;
    assert_eq!(f.step_ok(&token(1), "setSecret"), "pendingAlreadyLogsIn");
    assert_eq!(f.scratch.verifier(&f.user).await, verifier, "no ALTER ROLE");
}

#[tokio::test]
async fn set_secret_falls_back_from_the_current_to_the_previous_password() {
    let f = fixture(false).await;
    f.rotate(&token(1)).await;
    // The database went back to the previous password (restored by hand, say).
    f.scratch.set_password(&f.user, INITIAL_PASSWORD).await;
    assert!(!f.stage_logs_in(AWSCURRENT).await);
    f.create(&token(2)).await.unwrap();
    assert_eq!(f.step_ok(&token(2), "setSecret"), "passwordSet");
    assert_eq!(f.step_ok(&token(2), "testSecret"), "tested");
    assert!(f.stage_logs_in(AWSPENDING).await);
}

#[tokio::test]
async fn a_pending_secret_for_another_user_or_host_is_refused_and_the_database_untouched() {
    let f = fixture(false).await;
    let verifier = f.scratch.verifier(&f.user).await;
    let mut other_user = f.value(AWSCURRENT).await;
    other_user["username"] = json!("postgres");
    other_user["password"] = json!("Taken-Over-1");
    f.put_pending(&token(1), other_user).await;
    let (name, message) = f.step_error(&token(1), "setSecret");
    assert_eq!(name, "ComponentFailed");
    assert!(message.contains("it is for user \"postgres\""), "{message}");

    let mut other_host = f.value(AWSCURRENT).await;
    other_host["host"] = json!("127.0.0.2");
    other_host["password"] = json!("Elsewhere-1");
    f.put_pending(&token(2), other_host).await;
    let (name, message) = f.step_error(&token(2), "setSecret");
    assert_eq!(name, "ComponentFailed");
    let db = &f.scratch.dbname;
    assert!(
        message.contains(&format!(
            "it is for 127.0.0.2:5432/{db}, the current secret for localhost:5432/{db}"
        )),
        "{message}"
    );
    assert_eq!(
        f.scratch.verifier(&f.user).await,
        verifier,
        "the database is untouched"
    );
}

#[tokio::test]
async fn identifiers_with_uppercase_quotes_and_spaces_rotate() {
    let prefix_probe = Scratch::new().await;
    let user = format!("{} \"Catalog\" App", prefix_probe.prefix.to_uppercase());
    drop(prefix_probe);
    let f = fixture_for(Some(user.clone()), true, "CREATEROLE").await;
    f.rotate(&token(1)).await;
    let clone = format!("{user}_clone");
    assert_eq!(f.value(AWSCURRENT).await["username"], clone.as_str());
    assert!(f.scratch.is_member(&clone, &user).await);
    assert!(f.stage_logs_in(AWSCURRENT).await);
    f.rotate(&token(2)).await;
    assert_eq!(f.value(AWSCURRENT).await["username"], user.as_str());
    assert!(f.stage_logs_in(AWSCURRENT).await);
}

#[tokio::test]
async fn a_clone_name_of_64_characters_is_refused_before_anything_is_written() {
    let probe = Scratch::new().await;
    let user = format!("{}_{}", probe.prefix, "u".repeat(57 - probe.prefix.len()));
    drop(probe);
    assert_eq!(user.len(), 58);
    let f = fixture_for(Some(user), true, "CREATEROLE").await;
    let versions = f.versions().await;
    let error = f.create(&token(1)).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("is 64 bytes long; PostgreSQL allows at most 63"),
        "{error}"
    );
    assert_eq!(f.versions().await, versions);
}

#[tokio::test]
async fn a_wrong_pending_password_is_caught_by_test_secret() {
    let f = fixture(false).await;
    let mut pending = f.value(AWSCURRENT).await;
    pending["password"] = json!("Never-Set-1");
    f.put_pending(&token(1), pending).await;
    let (name, message) = f.step_error(&token(1), "testSecret");
    assert_eq!(name, "ComponentFailed");
    assert!(
        message.starts_with(
            "the pending credentials do not work: PostgreSQL at localhost:5432 refused the login"
        ),
        "{message}"
    );
    assert!(
        message.contains("password authentication failed"),
        "{message}"
    );
    assert!(!message.contains("Never-Set-1"));
}

#[tokio::test]
async fn finish_secret_twice_leaves_current_on_the_token_and_no_pending_label() {
    let f = fixture(false).await;
    let old = f.version_with(AWSCURRENT).await.unwrap();
    f.create(&token(1)).await.unwrap();
    f.step_ok(&token(1), "setSecret");
    f.step_ok(&token(1), "testSecret");
    assert_eq!(f.step_ok(&token(1), "finishSecret"), "finished");
    assert_eq!(f.step_ok(&token(1), "finishSecret"), "alreadyCurrent");
    assert_eq!(f.version_with(AWSCURRENT).await, Some(token(1)));
    assert_eq!(f.version_with(AWSPREVIOUS).await, Some(old));
    assert_eq!(f.version_with(AWSPENDING).await, None);
    assert!(f.stage_logs_in(AWSCURRENT).await);
}

#[tokio::test]
async fn a_master_without_createrole_cannot_create_the_clone() {
    let f = fixture_for(None, true, "NOCREATEROLE").await;
    f.create(&token(1)).await.unwrap();
    let (name, message) = f.step_error(&token(1), "setSecret");
    assert_eq!(name, "ComponentFailed");
    assert!(
        message.starts_with("CREATE ROLE and GRANT failed"),
        "{message}"
    );
    assert!(
        message.contains("permission denied to create role"),
        "{message}"
    );
    assert!(!f.scratch.role_exists(&format!("{}_clone", f.user)).await);
}

#[tokio::test]
async fn the_binary_without_a_ca_bundle_is_misconfigured() {
    let result = invoke(
        "rotation",
        &json!({"SecretId": "s", "ClientRequestToken": "t", "Step": "setSecret"}),
        &emulator().env(),
    );
    assert_eq!(result.body["errorType"], "Misconfigured");
    assert!(result.body["errorMessage"]
        .as_str()
        .unwrap()
        .contains("DB_CA_BUNDLE is (not set)"));
}

async fn connect_to(host: &str, port: u16, dbname: &str) -> Result<(), DbError> {
    let password = Password::new("irrelevant");
    let login = Login {
        host,
        port,
        dbname,
        username: "postgres",
        password: &password,
    };
    postgres().connect(login).await.map(|_| ())
}

#[tokio::test]
async fn tls_with_the_test_ca_verifies_the_server_named_localhost() {
    // postgres has trust authentication: only TLS can fail here.
    connect_to("localhost", PORT, "postgres")
        .await
        .expect("verified TLS to localhost");
}

#[tokio::test]
async fn a_server_certificate_for_another_name_is_refused() {
    let error = connect_to("127.0.0.1", PORT, "postgres").await.unwrap_err();
    let chain = env_core::error::error_chain(&error);
    assert!(matches!(error, DbError::Tls { .. }), "{chain}");
    assert!(
        chain.starts_with("the TLS connection to PostgreSQL at 127.0.0.1:5432 failed"),
        "{chain}"
    );
    assert!(chain.contains("certificate not valid for name"), "{chain}");
}

#[tokio::test]
async fn a_server_without_tls_is_refused_before_any_credential_is_sent() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 8];
        socket.read_exact(&mut request).await.unwrap();
        socket.write_all(b"N").await.unwrap();
        let mut rest = Vec::new();
        socket.read_to_end(&mut rest).await.unwrap();
        (request, rest)
    });
    let error = connect_to("localhost", port, "postgres").await.unwrap_err();
    assert!(matches!(error, DbError::PlaintextRefused { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        format!("PostgreSQL at localhost:{port} answered the SSLRequest without TLS: refusing to send credentials in plaintext")
    );
    let (request, rest) = server.await.unwrap();
    // SSLRequest: length 8, code 80877103 (PostgreSQL protocol, "SSLRequest").
    assert_eq!(request, [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
    assert!(
        rest.is_empty(),
        "nothing was sent after the refusal: {rest:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_is_retryable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let _server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(socket);
    });
    let started = std::time::Instant::now();
    let error = connect_to("localhost", port, "postgres").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        error.to_string(),
        format!("PostgreSQL at localhost:{port} did not complete the login within 3 s")
    );
    assert_eq!(
        env_core::NamedError::error_name(&error),
        env_core::ErrorName::Retryable
    );
}

#[tokio::test]
async fn a_closed_port_is_unreachable_and_retryable() {
    // Bound, never listening, and held: no parallel test's server can take the port meanwhile.
    let held = tokio::net::TcpSocket::new_v4().unwrap();
    held.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = held.local_addr().unwrap().port();
    let error = connect_to("127.0.0.1", port, "postgres").await.unwrap_err();
    assert!(matches!(error, DbError::Unreachable { .. }), "{error}");
    assert_eq!(
        env_core::NamedError::error_name(&error),
        env_core::ErrorName::Retryable
    );
}

#[tokio::test]
async fn a_login_to_a_missing_database_fails_with_the_server_error() {
    let error = connect_to("localhost", PORT, "no_such_database_for_rotation")
        .await
        .unwrap_err();
    let chain = env_core::error::error_chain(&error);
    assert!(chain.starts_with("login failed"), "{chain}");
    assert!(chain.contains("does not exist"), "{chain}");
    assert_eq!(
        env_core::NamedError::error_name(&error),
        env_core::ErrorName::ComponentFailed
    );
}

#[tokio::test]
async fn the_store_tells_a_missing_value_from_a_refused_request() {
    let f = fixture(false).await;
    let store = Secrets::new(&emulator().sdk_config().await);
    assert_eq!(
        store
            .value(&f.secret, Selector::Version(&token(5)))
            .await
            .unwrap(),
        None,
        "no such version: no value yet"
    );
    let current = f.version_with(AWSCURRENT).await.unwrap();
    let value = store
        .value(&f.secret, Selector::Version(&current))
        .await
        .unwrap()
        .expect("the current version by its id");
    assert_eq!(
        serde_json::from_str::<Value>(&value).unwrap()["password"],
        INITIAL_PASSWORD
    );
    // A secret scheduled for deletion: Secrets Manager refuses the request.
    f.client
        .delete_secret()
        .secret_id(&f.secret)
        .recovery_window_in_days(7)
        .send()
        .await
        .expect("DeleteSecret");
    let error = store
        .value(&f.secret, Selector::Stage(AWSCURRENT))
        .await
        .unwrap_err();
    assert_eq!(error.operation(), "GetSecretValue");
    assert_eq!(error.code(), Some("InvalidRequestException"), "{error}");
}

#[tokio::test]
async fn the_logs_name_the_secret_and_the_step_and_never_a_password_or_the_event() {
    let f = fixture(false).await;
    f.create(&token(1)).await.unwrap();
    let pending = f.value(AWSPENDING).await;
    let result = f.step(&token(1), "setSecret");
    assert!(result.success, "{}", result.body);
    let line = result
        .stderr
        .lines()
        .find(|line| line.contains("step done"))
        .expect("a log line for the step");
    let log: Value = serde_json::from_str(line).expect("JSON logs");
    assert_eq!(log["spans"][0]["secret_id"], f.secret.as_str());
    assert_eq!(log["spans"][0]["step"], "setSecret");
    let password = pending["password"].as_str().unwrap();
    assert!(!result.stderr.contains(password), "a password was logged");
    assert!(
        !result.stderr.contains(INITIAL_PASSWORD),
        "a password was logged"
    );
    assert!(
        !result.stderr.contains("ClientRequestToken"),
        "the event was logged"
    );
}

/// What the database function leaves for the first rotation: a secret for a user that does not exist
/// yet, and an RDS master that owns the database (RDS creates `DatabaseName` owned by the master).
async fn fixture_without_the_user() -> Fixture {
    let mut scratch = Scratch::new().await;
    let prefix = scratch.prefix.clone();
    let user = format!("{prefix}_app");
    scratch.drop_role_later(&user);
    scratch.drop_role_later(&format!("{user}_clone"));
    let admin = scratch
        .role(&format!("{prefix}_admin"), MASTER_PASSWORD, "CREATEROLE")
        .await;
    superuser()
        .await
        .batch_execute(&format!(
            "ALTER DATABASE {} OWNER TO {}",
            quote(&scratch.dbname),
            quote(&admin)
        ))
        .await
        .expect("the master owns the database");
    let client = client().await;
    let master = json!({"username": admin, "password": MASTER_PASSWORD});
    let master_arn = create_secret(&client, &format!("db-master-{prefix}"), &master, false).await;
    let value = json!({"engine": "postgres", "host": HOST, "port": PORT, "username": user,
        "password": INITIAL_PASSWORD, "dbname": scratch.dbname, "masterarn": master_arn});
    let secret = create_secret(&client, &format!("db-app-{prefix}"), &value, true).await;
    Fixture {
        scratch,
        client,
        secret,
        user,
    }
}

#[tokio::test]
async fn the_first_rotation_creates_the_missing_user_with_the_secrets_password_and_its_privileges()
{
    let f = fixture_without_the_user().await;
    assert!(!f.scratch.role_exists(&f.user).await);
    let clone = format!("{}_clone", f.user);
    f.rotate(&token(1)).await;

    assert!(f.scratch.role_exists(&f.user).await);
    assert!(f.scratch.is_member(&clone, &f.user).await);
    // Granted to the user itself (PUBLIC has CONNECT and USAGE by default, so has_*_privilege
    // would not tell), read in the scratch database, where its schema `public` is.
    let (scratch_db, connection) = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port=5432 user=postgres dbname={}",
            f.scratch.dbname
        ),
        tokio_postgres::NoTls,
    )
    .await
    .expect("the scratch database answers");
    tokio::spawn(connection);
    let granted: Vec<String> = scratch_db
        .query(
            "SELECT 'DATABASE ' || a.privilege_type FROM pg_database d, aclexplode(d.datacl) a \
             WHERE d.datname = $2 AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1) \
             UNION ALL \
             SELECT 'SCHEMA ' || a.privilege_type FROM pg_namespace n, aclexplode(n.nspacl) a \
             WHERE n.nspname = 'public' AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1) \
             ORDER BY 1",
            &[&f.user, &f.scratch.dbname],
        )
        .await
        .expect("the grants are readable")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(
        granted,
        ["DATABASE CONNECT", "SCHEMA CREATE", "SCHEMA USAGE"]
    );
    let verifier = f.scratch.verifier(&f.user).await.expect("a password");
    assert!(verifier.starts_with("SCRAM-SHA-256$4096:"), "{verifier}");

    // Only members of the password group are asked for their password (see tests/src/postgres.rs).
    superuser()
        .await
        .batch_execute(&format!(
            "GRANT {PASSWORD_AUTH_GROUP} TO {}",
            quote(&f.user)
        ))
        .await
        .expect("the new user must give its password");
    assert_eq!(f.value(AWSCURRENT).await["username"], clone.as_str());
    assert_eq!(f.value(AWSPREVIOUS).await["username"], f.user.as_str());
    assert!(
        f.stage_logs_in(AWSPREVIOUS).await,
        "the user logs in with the secret's first password"
    );
    assert!(!logs_in(&f.user, "Another-Password-1", &f.scratch.dbname).await);
    assert!(f.stage_logs_in(AWSCURRENT).await);

    // The second rotation finds both users and only changes the user's password.
    f.rotate(&token(2)).await;
    assert_eq!(f.value(AWSCURRENT).await["username"], f.user.as_str());
    assert!(f.stage_logs_in(AWSCURRENT).await);
    assert!(!logs_in(&f.user, INITIAL_PASSWORD, &f.scratch.dbname).await);
}
