//! A session whose connection is cut between two statements, as when Aurora fails over or restarts
//! mid-step: every write fails naming the statement it was building, and nothing is written.

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
