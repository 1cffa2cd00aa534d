//! Issue 18 against moto and PostgreSQL over TLS: what a person or a stray invocation stepping
//! outside the protocol used to break.

use integration_tests::postgres::{quote, superuser, HOST, PORT};
use integration_tests::rotation::{fixture, logs_in, postgres, token, MASTER_PASSWORD};
use rotation::database::{Database, DbError, Login, PairFacts, RoleFacts, Session};
use rotation::event::Step;
use rotation::protocol::Outcome;
use rotation::secret::Password;
use secrets::versions::{AWSCURRENT, AWSPENDING, AWSPREVIOUS};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_stuck_rotation_cleared_by_hand_after_set_secret_is_recovered_by_the_next_rotation() {
    let f = fixture(false).await;
    let stuck = token(1);
    f.create(&stuck).await.unwrap();
    assert_eq!(f.step_ok(&stuck, "setSecret"), "passwordSet");
    f.clear_pending(&stuck).await;
    assert!(!f.stage_logs_in(AWSCURRENT).await, "the lost password");
    assert_eq!(
        f.versions()
            .await
            .get(&stuck)
            .map(Vec::len)
            .unwrap_or_default(),
        0,
        "a version without labels"
    );

    let next = token(2);
    assert_eq!(f.create(&next).await.unwrap(), Outcome::PendingCreated);
    assert_eq!(f.step_ok(&next, "setSecret"), "passwordSetAfterRecovery");
    assert_eq!(f.step_ok(&next, "testSecret"), "tested");
    assert_eq!(f.step_ok(&next, "finishSecret"), "finished");
    assert!(f.stage_logs_in(AWSCURRENT).await);
    assert_eq!(f.version_with(AWSCURRENT).await, Some(next));
    assert_eq!(f.version_with(AWSPENDING).await, None);
    // moto, as patched like AWS, lists the stuck version only with IncludeDeprecated.
    let listed = |deprecated: bool| {
        let client = f.client.clone();
        let secret = f.secret.clone();
        async move {
            client
                .list_secret_version_ids()
                .secret_id(secret)
                .include_deprecated(deprecated)
                .send()
                .await
                .expect("ListSecretVersionIds")
                .versions()
                .iter()
                .filter_map(|version| version.version_id().map(str::to_owned))
                .collect::<Vec<_>>()
        }
    };
    assert!(listed(true).await.contains(&stuck));
    assert!(!listed(false).await.contains(&stuck));
}

#[tokio::test]
async fn finish_secret_before_create_or_set_secret_moves_no_label() {
    for alternating in [false, true] {
        let f = fixture(alternating).await;
        let t = token(1);
        let error = f.in_process(&t, Step::Finish).await.unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("the pending secret has no value"),
            "{error}"
        );
        f.create(&t).await.unwrap();
        let (name, message) = f.step_error(&t, "finishSecret");
        assert_eq!(name, "ComponentFailed");
        assert!(
            message.starts_with("the pending credentials do not work: PostgreSQL at localhost"),
            "{message}"
        );
        assert_ne!(f.version_with(AWSCURRENT).await, Some(t.clone()));
        assert!(f.stage_logs_in(AWSCURRENT).await);
        // The steps in order then finish it.
        let set = f.step_ok(&t, "setSecret");
        assert!(set == "passwordSet" || set == "roleCreated", "{set}");
        assert_eq!(f.step_ok(&t, "testSecret"), "tested");
        assert_eq!(f.step_ok(&t, "finishSecret"), "finished");
        assert!(f.stage_logs_in(AWSCURRENT).await);
    }
}

/// A port on which nothing may connect: a listener that counts connections.
async fn watched_port() -> (u16, tokio::task::JoinHandle<bool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    let watch = tokio::spawn(async move {
        tokio::time::timeout(Duration::from_millis(300), listener.accept())
            .await
            .is_ok()
    });
    (port, watch)
}

#[tokio::test]
async fn test_secret_refuses_a_pending_secret_for_another_port_or_database_before_connecting() {
    let f = fixture(false).await;
    let (port, watch) = watched_port().await;
    let mut pending = f.value(AWSCURRENT).await;
    pending["port"] = json!(port);
    f.put_pending(&token(1), pending).await;
    for step in ["setSecret", "testSecret", "finishSecret"] {
        let (name, message) = f.step_error(&token(1), step);
        assert_eq!(name, "ComponentFailed");
        assert!(
            message.contains(&format!(
                "it is for localhost:{port}/{db}, the current secret for localhost:5432/{db}",
                db = f.scratch.dbname
            )),
            "{message}"
        );
    }
    assert!(
        !watch.await.unwrap(),
        "a connection reached the pending port"
    );

    let mut other_db = f.value(AWSCURRENT).await;
    other_db["dbname"] = json!("postgres");
    f.put_pending(&token(2), other_db).await;
    let (name, message) = f.step_error(&token(2), "testSecret");
    assert_eq!(name, "ComponentFailed");
    assert!(
        message.contains("it is for localhost:5432/postgres"),
        "{message}"
    );
}

#[tokio::test]
async fn a_master_secret_on_another_port_is_refused_before_connecting() {
    let f = fixture(true).await;
    let (port, watch) = watched_port().await;
    let master_arn = f.value(AWSCURRENT).await["masterarn"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = format!("{}_admin", f.scratch.prefix);
    f.client
        .put_secret_value()
        .secret_id(&master_arn)
        .secret_string(
            json!({"username": admin, "password": MASTER_PASSWORD, "host": HOST, "port": port})
                .to_string(),
        )
        .send()
        .await
        .expect("PutSecretValue");
    f.create(&token(1)).await.unwrap();
    let (name, message) = f.step_error(&token(1), "setSecret");
    assert_eq!(name, "ComponentFailed");
    assert!(
        message.starts_with(&format!(
            "the master secret does not fit the rotated secret: it is for localhost:{port}/"
        )),
        "{message}"
    );
    assert!(
        !watch.await.unwrap(),
        "a connection reached the master's port"
    );
}

#[tokio::test]
async fn an_existing_role_named_like_the_clone_is_not_taken_over() {
    for (options, member, problem) in [
        ("", false, "is not a member of"),
        ("CREATEROLE", true, "it has CREATEROLE, beyond what"),
    ] {
        let mut f = fixture(true).await;
        let clone = format!("{}_clone", f.user);
        f.scratch.role(&clone, "Theirs-Password-1", options).await;
        if member {
            superuser()
                .await
                .batch_execute(&format!("GRANT {} TO {}", quote(&f.user), quote(&clone)))
                .await
                .unwrap();
        }
        let verifier = f.scratch.verifier(&clone).await;
        f.create(&token(1)).await.unwrap();
        for step in ["setSecret", "testSecret", "finishSecret"] {
            let (name, message) = f.step_error(&token(1), step);
            assert_eq!(name, "ComponentFailed", "{step}");
            if step == "setSecret" {
                assert!(
                    message.starts_with(&format!(
                        "role {clone:?} is not one this rotation may use: "
                    )),
                    "{message}"
                );
                assert!(message.contains(problem), "{message}");
            }
        }
        assert_eq!(
            f.scratch.verifier(&clone).await,
            verifier,
            "its password is untouched"
        );
        assert!(logs_in(&clone, "Theirs-Password-1", &f.scratch.dbname).await);
        assert_ne!(f.version_with(AWSCURRENT).await, Some(token(1)));
    }
}

#[tokio::test]
async fn a_secret_for_the_masters_clone_never_changes_the_masters_password() {
    let mut f = fixture(true).await;
    let admin = format!("{}_admin", f.scratch.prefix);
    let admin_clone = format!("{admin}_clone");
    f.scratch.role(&admin_clone, "Clone-Password-1", "").await;
    let mut value = f.value(AWSCURRENT).await;
    value["username"] = json!(admin_clone);
    value["password"] = json!("Clone-Password-1");
    f.client
        .put_secret_value()
        .secret_id(&f.secret)
        .secret_string(value.to_string())
        .send()
        .await
        .expect("PutSecretValue makes it current");
    let verifier = f.scratch.verifier(&admin).await;
    f.create(&token(1)).await.unwrap();
    assert_eq!(f.value(AWSPENDING).await["username"], admin.as_str());
    let (name, message) = f.step_error(&token(1), "setSecret");
    assert_eq!(name, "ComponentFailed");
    assert_eq!(
        message,
        format!("the master secret does not fit the rotated secret: its user {admin:?} is one of the two users this rotation alternates ({admin_clone:?} and {admin:?})")
    );
    for step in ["testSecret", "finishSecret"] {
        let (name, message) = f.step_error(&token(1), step);
        assert_eq!(name, "ComponentFailed");
        assert!(
            message.starts_with("the pending credentials do not work"),
            "{message}"
        );
    }
    // A pending version with the master's real password logs in, and is still refused: the
    // master is an administrator (CREATEROLE), never one of the pair.
    let mut real = f.value(AWSPENDING).await;
    real["password"] = json!(MASTER_PASSWORD);
    f.put_pending(&token(2), real).await;
    for step in ["testSecret", "finishSecret"] {
        let (name, message) = f.step_error(&token(2), step);
        assert_eq!(name, "ComponentFailed");
        assert_eq!(
            message,
            format!("role {admin:?} is not one this rotation may use: it has CREATEROLE: this function rotates application users only")
        );
    }
    assert_ne!(f.version_with(AWSCURRENT).await, Some(token(2)));
    assert_eq!(f.scratch.verifier(&admin).await, verifier);
    assert!(logs_in(&admin, MASTER_PASSWORD, &f.scratch.dbname).await);
}

#[tokio::test]
async fn finish_secret_stopped_between_its_label_moves_takes_pending_off_on_retry() {
    let f = fixture(false).await;
    let t = token(1);
    let old = f.version_with(AWSCURRENT).await.unwrap();
    f.create(&t).await.unwrap();
    f.step_ok(&t, "setSecret");
    f.step_ok(&t, "testSecret");
    // The first move made, the process gone before the second.
    f.client
        .update_secret_version_stage()
        .secret_id(&f.secret)
        .version_stage(AWSCURRENT)
        .move_to_version_id(&t)
        .remove_from_version_id(&old)
        .send()
        .await
        .unwrap();
    assert_eq!(f.version_with(AWSPENDING).await, Some(t.clone()));
    assert_eq!(f.step_ok(&t, "testSecret"), "alreadyCurrent");
    assert_eq!(f.step_ok(&t, "finishSecret"), "finished");
    assert_eq!(f.version_with(AWSPENDING).await, None);
    assert_eq!(f.version_with(AWSCURRENT).await, Some(t.clone()));
    assert_eq!(f.version_with(AWSPREVIOUS).await, Some(old));
    assert_eq!(f.step_ok(&t, "finishSecret"), "alreadyCurrent");
    assert!(f.stage_logs_in(AWSCURRENT).await);
}

#[tokio::test]
async fn concurrent_duplicates_of_set_and_finish_secret_all_succeed() {
    let f = fixture(true).await;
    let t = token(1);
    f.create(&t).await.unwrap();
    let clone = format!("{}_clone", f.user);
    for invocation in f.step_concurrently(&t, "setSecret", 3) {
        assert!(
            invocation.success,
            "{} {}",
            invocation.body, invocation.stderr
        );
    }
    assert!(f.scratch.is_member(&clone, &f.user).await);
    assert!(f.stage_logs_in(AWSPENDING).await);
    assert_eq!(f.step_ok(&t, "testSecret"), "tested");
    for invocation in f.step_concurrently(&t, "finishSecret", 3) {
        assert!(
            invocation.success,
            "{} {}",
            invocation.body, invocation.stderr
        );
    }
    assert_eq!(f.version_with(AWSCURRENT).await, Some(t));
    assert_eq!(f.version_with(AWSPENDING).await, None);
    assert!(f.stage_logs_in(AWSCURRENT).await);
    assert!(f.stage_logs_in(AWSPREVIOUS).await);
}

#[tokio::test]
async fn postgresql_reports_the_pair_and_an_existing_role_as_the_protocol_needs() {
    let mut f = fixture(true).await;
    let admin = format!("{}_admin", f.scratch.prefix);
    let password = Password::new(MASTER_PASSWORD);
    let login = Login {
        host: HOST,
        port: PORT,
        dbname: &f.scratch.dbname,
        username: &admin,
        password: &password,
    };
    let mut session = postgres().connect(login).await.unwrap();
    let clone = format!("{}_clone", f.user);
    let facts = session.role_pair(&f.user, &clone).await.unwrap();
    assert_eq!(
        facts,
        PairFacts {
            base: Some(RoleFacts::default()),
            clone: None,
            clone_in_base: false,
            clone_extra_roles: vec![],
        }
    );
    session
        .create_role(&clone, &Password::new("Clone-1-Password"), &f.user)
        .await
        .unwrap();
    let error = session
        .create_role(&clone, &Password::new("Clone-2-Password"), &f.user)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, DbError::RoleExists { role } if *role == clone),
        "{error}"
    );
    let error = session
        .create_user(
            &f.user,
            &Password::new("User-2-Password"),
            &f.scratch.dbname,
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("role {:?} already exists", f.user)
    );
    // A role beyond the base's and attributes, as a person might have added them.
    let extra = f
        .scratch
        .role(
            &format!("{}_extra", f.scratch.prefix),
            "Extra-1-Password",
            "",
        )
        .await;
    superuser()
        .await
        .batch_execute(&format!(
            "GRANT {} TO {}; ALTER ROLE {} CREATEDB BYPASSRLS",
            quote(&extra),
            quote(&clone),
            quote(&clone)
        ))
        .await
        .unwrap();
    let facts = session.role_pair(&f.user, &clone).await.unwrap();
    assert_eq!(
        facts,
        PairFacts {
            base: Some(RoleFacts::default()),
            clone: Some(RoleFacts {
                attributes: vec!["CREATEDB".to_owned(), "BYPASSRLS".to_owned()],
            }),
            clone_in_base: true,
            clone_extra_roles: vec![extra],
        }
    );
    let master = session.role_pair(&admin, "nobody_at_all").await.unwrap();
    assert_eq!(
        master.base,
        Some(RoleFacts {
            attributes: vec!["CREATEROLE".to_owned()],
        })
    );
}

#[tokio::test]
async fn the_binary_reports_a_missing_master_secret_and_a_refused_read_by_name() {
    let f = fixture(true).await;
    let mut value = f.value(AWSCURRENT).await;
    let missing = format!("{}-gone", value["masterarn"].as_str().expect("a masterarn"));
    value["masterarn"] = json!(missing);
    f.client
        .put_secret_value()
        .secret_id(&f.secret)
        .secret_string(value.to_string())
        .send()
        .await
        .expect("PutSecretValue makes it current");
    f.create(&token(1)).await.unwrap();
    let (name, message) = f.step_error(&token(1), "setSecret");
    assert_eq!(name, "ComponentFailed");
    assert_eq!(
        message,
        format!("the master secret has no value: {missing}")
    );
    // A secret scheduled for deletion: Secrets Manager refuses to read it.
    f.client
        .delete_secret()
        .secret_id(&f.secret)
        .recovery_window_in_days(7)
        .send()
        .await
        .expect("DeleteSecret");
    let (name, message) = f.step_error(&token(1), "testSecret");
    assert_eq!(name, "AwsRejected");
    assert!(
        message.starts_with("GetSecretValue failed: InvalidRequestException"),
        "{message}"
    );
}
