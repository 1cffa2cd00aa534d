//! A session whose connection is cut between two statements, as when Aurora fails over or restarts
//! mid-step: every write fails naming the statement it was building, and nothing is written; and a
//! role another session creates at the same moment, which PostgreSQL refuses differently from one
//! that already exists, told apart from any other refusal.

use super::*;
use integration_tests::postgres::Scratch;
use rotation::database::Session;

#[tokio::test]
async fn a_session_whose_backend_is_terminated_fails_every_write_naming_it() {
    let mut scratch = Scratch::new().await;
    let user = scratch
        .role(&format!("{}_cut", scratch.prefix), INITIAL_PASSWORD, "")
        .await;
    let password = Password::new(INITIAL_PASSWORD);
    let login = Login {
        host: HOST,
        port: PORT,
        dbname: &scratch.dbname,
        username: &user,
        password: &password,
    };
    let mut session = postgres().connect(login).await.expect("the user logs in");
    session.check().await.expect("SELECT 1 runs");
    let before = scratch.verifier(&user).await;
    // PostgreSQL 14 and later wait (here up to 5 s) until the backend has ended.
    let cut = superuser()
        .await
        .query_one(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE usename = $1",
            &[&user],
        )
        .await
        .expect("the superuser ends the session's backend");
    assert_eq!(cut.get::<_, i64>(0), 1, "one session of {user} was ended");

    let next = Password::new("Next-Password-2");
    let clone = format!("{user}_clone");
    let writes = [
        ("ALTER ROLE", session.set_password(&user, &next).await),
        (
            "CREATE ROLE",
            session.create_user(&clone, &next, &scratch.dbname).await,
        ),
        (
            "CREATE ROLE",
            session.create_role(&clone, &next, &user).await,
        ),
    ];
    for (statement, result) in writes {
        match result {
            Err(DbError::Failed { what, .. }) => assert_eq!(what, statement),
            other => panic!("{statement}: {other:?}"),
        }
    }
    assert_eq!(
        scratch.verifier(&user).await,
        before,
        "the password is unchanged"
    );
    assert_eq!(scratch.verifier(&clone).await, None, "no clone was created");
}

/// Commits `other`'s open transaction once a backend of `waiter` waits for a lock (that is, for
/// `other`'s transaction), so the race is the same on every run; fails after 10 s without one.
async fn commit_once_waited_for(other: &tokio_postgres::Client, waiter: &str) {
    let watcher = superuser().await;
    for _ in 0..500 {
        let waiting: i64 = watcher
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'",
                &[&waiter],
            )
            .await
            .expect("pg_stat_activity is readable")
            .get(0);
        if waiting == 1 {
            other.batch_execute("COMMIT").await.expect("COMMIT");
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no session of {waiter} waited for the other transaction");
}

#[tokio::test]
async fn a_role_another_session_creates_at_the_same_moment_reads_as_existing() {
    let mut scratch = Scratch::new().await;
    let creator = scratch
        .role(
            &format!("{}_creator", scratch.prefix),
            INITIAL_PASSWORD,
            "CREATEROLE",
        )
        .await;
    let user = scratch
        .role(&format!("{}_base", scratch.prefix), INITIAL_PASSWORD, "")
        .await;
    let password = Password::new(INITIAL_PASSWORD);
    let login = Login {
        host: HOST,
        port: PORT,
        dbname: &scratch.dbname,
        username: &creator,
        password: &password,
    };
    let mut session = postgres()
        .connect(login)
        .await
        .expect("the creator logs in");
    let next = Password::new("Next-Password-3");
    for (n, statement) in [
        "CREATE ROLE and GRANT",
        "CREATE ROLE and GRANT on the database",
    ]
    .into_iter()
    .enumerate()
    {
        let clone = format!("{user}_clone{n}");
        scratch.drop_role_later(&clone);
        // The other session's role is not committed yet: the existence check before the insert
        // does not see it (no duplicate_object), the insert into pg_authid's name index waits for
        // that transaction and, once it commits, fails with unique_violation.
        let other = superuser().await;
        other
            .batch_execute(&format!("BEGIN; CREATE ROLE {}", quote(&clone)))
            .await
            .expect("the other session creates the role");
        let creating = async {
            if n == 0 {
                session.create_role(&clone, &next, &user).await
            } else {
                session.create_user(&clone, &next, &scratch.dbname).await
            }
        };
        let (created, ()) = tokio::join!(creating, commit_once_waited_for(&other, &creator));
        assert!(
            matches!(&created, Err(DbError::RoleExists { role }) if *role == clone),
            "{statement}: {created:?}"
        );
        assert!(
            !scratch.is_member(&clone, &user).await,
            "the other session's role, not the rotation's"
        );
    }
    // Any other refusal (here: a session without CREATEROLE) is the failed statement, named, and
    // never taken for an existing role.
    let login = Login {
        host: HOST,
        port: PORT,
        dbname: &scratch.dbname,
        username: &user,
        password: &password,
    };
    let mut plain = postgres().connect(login).await.expect("the user logs in");
    let denied = format!("{user}_denied");
    scratch.drop_role_later(&denied);
    let writes = [
        (
            "CREATE ROLE and GRANT",
            plain.create_role(&denied, &next, &user).await,
        ),
        (
            "CREATE ROLE and GRANT on the database",
            plain.create_user(&denied, &next, &scratch.dbname).await,
        ),
    ];
    for (statement, result) in writes {
        match result {
            Err(DbError::Failed { what, .. }) => assert_eq!(what, statement),
            other => panic!("{statement}: {other:?}"),
        }
    }
    assert!(!scratch.role_exists(&denied).await, "nothing was created");
}
