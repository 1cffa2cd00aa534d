//! The Redis AUTH token's rotation through the `rotation` binary, against the emulator's
//! ElastiCache (its replication group a real Redis server with TLS, tools/emulator/local_cache.py)
//! and ECS: every step logs in for real, and the old token keeps working until the next rotation.

use integration_tests::emulator::Emulator;
use integration_tests::functions::invoke;
use integration_tests::postgres::TEST_CA;
use integration_tests::rotation::{parts, token, StartedRotation};
use integration_tests::unique_suffix;
use rotation::cache::{TokenCheck, TokenRejected};
use rotation::event::{RotationEvent, Step};
use rotation::protocol::Outcome;
use rotation::redis::Redis;
use rotation::Function;
use secrets::versions::{AWSCURRENT, AWSPENDING, AWSPREVIOUS};
use secrets::Secrets;
use serde_json::{json, Value};
use std::time::Duration;

const T0: &str = "initial-token-0123456789abcdef";

/// AUTH with `token` over verified TLS, as the API would; whether the server took it.
async fn takes(port: u16, token: &str) -> bool {
    let tls = rotation::redis::tls_config(std::path::Path::new(TEST_CA)).expect("as set up");
    let redis = Redis::new(tls, Duration::from_secs(3));
    match redis.accepts("localhost", port, token).await {
        Ok(()) => true,
        Err(TokenRejected::Refused(_)) => false,
        Err(error) => panic!("{error}"),
    }
}

struct Group {
    emulator: Emulator,
    secret: String,
    port: u16,
    cluster: String,
    service: String,
}

impl Group {
    async fn new() -> Self {
        let emulator = Emulator::with_local_servers();
        let config = emulator.sdk_config().await;
        let suffix = unique_suffix();
        let id = format!("redis-{suffix}");
        let elasticache = aws_sdk_elasticache::Client::new(&config);
        elasticache
            .create_replication_group()
            .replication_group_id(&id)
            .replication_group_description("token rotation test")
            .engine("redis")
            .cache_node_type("cache.t4g.micro")
            .cluster_mode(aws_sdk_elasticache::types::ClusterMode::Enabled)
            .num_node_groups(2)
            .replicas_per_node_group(1)
            .transit_encryption_enabled(true)
            .auth_token(T0)
            .send()
            .await
            .expect("CreateReplicationGroup");
        let described = elasticache
            .describe_replication_groups()
            .replication_group_id(&id)
            .send()
            .await
            .expect("as set up");
        let endpoint = described.replication_groups()[0]
            .configuration_endpoint()
            .expect("as set up")
            .clone();
        let port = u16::try_from(endpoint.port().expect("as set up")).expect("as set up");
        let value = json!({"authToken": T0, "replicationGroupId": id, "tls": true,
                           "host": endpoint.address().expect("as set up"), "port": port});
        let secrets = aws_sdk_secretsmanager::Client::new(&config);
        let secret = secrets
            .create_secret()
            .name(format!("secret-redis-auth-{suffix}"))
            .secret_string(value.to_string())
            .send()
            .await
            .expect("as set up")
            .arn()
            .expect("as set up")
            .to_owned();
        secrets
            .rotate_secret()
            .secret_id(&secret)
            .rotation_rules(
                aws_sdk_secretsmanager::types::RotationRulesType::builder()
                    .automatically_after_days(30)
                    .build(),
            )
            .rotate_immediately(false)
            .send()
            .await
            .expect("as set up");
        // The service whose tasks hold the token.
        let (cluster, service) = (format!("ecs-{suffix}"), format!("api-{suffix}"));
        let ecs = aws_sdk_ecs::Client::new(&config);
        ecs.create_cluster()
            .cluster_name(&cluster)
            .send()
            .await
            .expect("as set up");
        let container = aws_sdk_ecs::types::ContainerDefinition::builder()
            .name("api")
            .image("public.ecr.aws/docker/library/node:22")
            .memory(512)
            .build();
        ecs.register_task_definition()
            .family(&service)
            .container_definitions(container)
            .send()
            .await
            .expect("as set up");
        ecs.create_service()
            .cluster(&cluster)
            .service_name(&service)
            .task_definition(&service)
            .desired_count(1)
            .send()
            .await
            .expect("as set up");
        Self {
            emulator,
            secret,
            port,
            cluster,
            service,
        }
    }

    /// createSecret in this process, with the token shown as RotateSecret leaves it (moto cannot).
    async fn create(&self, token: &str) -> Outcome {
        let config = self.emulator.sdk_config().await;
        let store = StartedRotation {
            inner: Secrets::new(&config),
            token: token.to_owned(),
        };
        let event = RotationEvent {
            secret_id: self.secret.clone(),
            client_request_token: token.to_owned(),
            step: Step::Create,
        };
        let function = Function::new(store, parts(&config));
        function.handle(event).await.expect("as set up").outcome
    }

    /// One step through the binary, as Lambda runs it.
    fn step(&self, token: &str, step: &str) -> Value {
        let mut env = self.emulator.env();
        env.push(("DB_CA_BUNDLE", TEST_CA.to_owned()));
        env.push(("ECS_CLUSTER", self.cluster.clone()));
        env.push(("ECS_SERVICE", self.service.clone()));
        env.push(("CACHE_TOKEN_WAIT_SECONDS", "10".to_owned()));
        let result = invoke(
            "rotation",
            &json!({"SecretId": self.secret, "ClientRequestToken": token, "Step": step}),
            &env,
        );
        assert!(result.success, "{step}: {} {}", result.body, result.stderr);
        result.body
    }

    async fn token_at(&self, stage: &str) -> String {
        let secrets = aws_sdk_secretsmanager::Client::new(&self.emulator.sdk_config().await);
        let value = secrets
            .get_secret_value()
            .secret_id(&self.secret)
            .version_stage(stage)
            .send()
            .await
            .expect("as set up");
        let value: Value =
            serde_json::from_str(value.secret_string().expect("as set up")).expect("as set up");
        value["authToken"].as_str().expect("as set up").to_owned()
    }

    async fn deployed_at(&self) -> i64 {
        let ecs = aws_sdk_ecs::Client::new(&self.emulator.sdk_config().await);
        let services = ecs
            .describe_services()
            .cluster(&self.cluster)
            .services(&self.service)
            .send()
            .await
            .expect("as set up");
        services.services()[0].deployments()[0]
            .created_at()
            .expect("as set up")
            .secs()
    }

    /// RotateSecret's pending version, then the three steps through the binary.
    async fn rotate(&self, token: &str) {
        assert_eq!(self.create(token).await, Outcome::PendingCreated);
        assert_eq!(self.token_at(AWSPENDING).await.len(), 64);
        assert_eq!(self.step(token, "setSecret")["outcome"], "tokenAdded");
        assert_eq!(self.step(token, "testSecret")["outcome"], "tested");
        assert_eq!(self.step(token, "finishSecret")["outcome"], "finished");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_rotation_adds_the_new_token_beside_the_old_and_restarts_the_tasks() {
    let group = Group::new().await;
    assert!(group.takes_only(&[T0]).await);
    let before = group.deployed_at().await;
    // A second passes, so a restart is told from the service's creation.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    group.rotate(&token(1)).await;
    let t1 = group.token_at(AWSCURRENT).await;
    assert_eq!(t1.len(), 64);
    assert_eq!(group.token_at(AWSPREVIOUS).await, T0);
    // Both tokens work: the tasks that read T0 before the rotation keep their connections.
    assert!(takes(group.port, T0).await && takes(group.port, &t1).await);
    assert!(group.deployed_at().await > before, "the tasks restarted");

    // The next rotation drops T0 (no task holds it: they restarted after T1 became current).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    group.rotate(&token(2)).await;
    let t2 = group.token_at(AWSCURRENT).await;
    assert!(!takes(group.port, T0).await);
    assert!(takes(group.port, &t1).await && takes(group.port, &t2).await);
    // Every step run again changes nothing.
    assert_eq!(
        group.step(&token(2), "setSecret")["outcome"],
        "alreadyCurrent"
    );
}

impl Group {
    async fn takes_only(&self, tokens: &[&str]) -> bool {
        for token in tokens {
            if !takes(self.port, token).await {
                return false;
            }
        }
        !takes(self.port, "not-a-token-0123456789").await
    }
}

/// What the function reports of a server it cannot reach: never a refused token, so setSecret
/// changes nothing on a group it cannot check.
#[tokio::test]
async fn a_closed_port_a_silent_server_or_a_bad_name_is_unreachable() {
    let tls = rotation::redis::tls_config(std::path::Path::new(TEST_CA)).expect("the test CA");
    let redis = Redis::new(tls, Duration::from_millis(500));
    // Bound but never listening: the port stays ours, so no parallel test's server can take it
    // between our choosing it and connecting (the CI run of 2026-12-05 failed on that race).
    let closed = tokio::net::TcpSocket::new_v4().expect("a socket");
    closed
        .bind("127.0.0.1:0".parse().expect("an address"))
        .expect("a free port");
    let port = closed.local_addr().expect("an address").port();
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let silent_port = silent.local_addr().expect("an address").port();
    let held = tokio::spawn(async move { silent.accept().await });
    for (host, port, expected) in [
        ("127.0.0.1", port, "refused"),
        ("localhost", silent_port, "no answer within 500ms"),
        ("not a host", 6379, "not a host name"),
    ] {
        match redis.accepts(host, port, "t").await {
            Err(TokenRejected::Unreachable(why)) => assert!(why.contains(expected), "{why}"),
            other => panic!("{host}:{port}: {other:?}"),
        }
    }
    held.abort();
    // A server that answers, but not with TLS: no login either.
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let plain_port = plain.local_addr().expect("an address").port();
    let talks = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let (mut socket, _) = plain.accept().await.expect("a connection");
        socket
            .write_all(b"-ERR not TLS\r\n")
            .await
            .expect("written");
    });
    match redis.accepts("localhost", plain_port, "t").await {
        Err(TokenRejected::Unreachable(why)) => assert!(why.contains(&plain_port.to_string())),
        other => panic!("{other:?}"),
    }
    talks.abort();
    // A reply that is neither a status nor an error is no success.
    assert!(rotation::redis::reply(":1\r\n").is_err());
}
