//! What a deployed backend must hold for its functions to work, read back from the cloud as the
//! functions would find it: a setting `envctl deploy` forgot, or a rotation package without the
//! file its settings name, is a problem here before it is a failed provision in AWS.

use aws_config::SdkConfig;
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// The functions that create roles, each with the permissions boundary those roles carry.
const BOUNDED: [&str; 3] = ["network", "database", "service"];
/// Where the database function tells the rotation function its CA bundle is
/// (`functions/database/src/rotation_function.rs`): Lambda unpacks a package into `/var/task`.
const CA_BUNDLE_PATH: &str = "/var/task/rds-ca-bundle.pem";

/// Every problem found, as a sentence naming the function and the setting or file; empty when
/// the backend is whole.
pub async fn problems(config: &SdkConfig) -> Vec<String> {
    let lambda = aws_sdk_lambda::Client::new(config);
    let mut problems = Vec::new();
    let settings = |name: &'static str| {
        let lambda = lambda.clone();
        async move {
            let got = lambda
                .get_function_configuration()
                .function_name(name)
                .send()
                .await
                .unwrap_or_else(|error| panic!("the function {name}: {error:?}"));
            let variables: BTreeMap<String, String> = got
                .environment()
                .and_then(|environment| environment.variables())
                .map(|variables| variables.clone().into_iter().collect())
                .unwrap_or_default();
            let architecture = got
                .architectures()
                .first()
                .map_or("x86_64", |architecture| architecture.as_str())
                .to_owned();
            (variables, architecture)
        }
    };

    let (cleanup, _) = settings("cleanup").await;
    match cleanup.get("TEARDOWN_STATE_MACHINE_ARN") {
        None => problems.push("cleanup: TEARDOWN_STATE_MACHINE_ARN is not set".to_owned()),
        Some(arn) => {
            let sfn = aws_sdk_sfn::Client::new(config);
            let found = sfn
                .describe_state_machine()
                .state_machine_arn(arn)
                .send()
                .await;
            if found.is_err() {
                problems.push(format!(
                    "cleanup: TEARDOWN_STATE_MACHINE_ARN {arn} names no state machine"
                ));
            }
        }
    }

    // The waker reads the environment's executions of all three workflows and starts provisions;
    // the guard reads them and stops provisions and claims (a machine it cannot find it reads as
    // running nothing, so a wrong ARN would switch it off unseen).
    let sfn = aws_sdk_sfn::Client::new(config);
    for function in ["waker", "guard"] {
        let (variables, _) = settings(function).await;
        for variable in [
            "PROVISION_STATE_MACHINE_ARN",
            "CLAIM_STATE_MACHINE_ARN",
            "TEARDOWN_STATE_MACHINE_ARN",
        ] {
            let Some(arn) = variables.get(variable) else {
                problems.push(format!("{function}: {variable} is not set"));
                continue;
            };
            let found = sfn
                .describe_state_machine()
                .state_machine_arn(arn)
                .send()
                .await;
            if found.is_err() {
                problems.push(format!(
                    "{function}: {variable} {arn} names no state machine"
                ));
            }
        }
    }

    let iam = aws_sdk_iam::Client::new(config);
    for function in BOUNDED {
        let (variables, _) = settings(function).await;
        let Some(arn) = variables.get("ROLE_PERMISSIONS_BOUNDARY") else {
            problems.push(format!("{function}: ROLE_PERMISSIONS_BOUNDARY is not set"));
            continue;
        };
        if iam.get_policy().policy_arn(arn).send().await.is_err() {
            problems.push(format!(
                "{function}: ROLE_PERMISSIONS_BOUNDARY {arn} names no policy"
            ));
        }
    }

    let (database, architecture) = settings("database").await;
    if database.get("ROTATION_ARCHITECTURE") != Some(&architecture) {
        problems.push(format!(
            "database: ROTATION_ARCHITECTURE is {:?}, its own package's is {architecture:?}",
            database.get("ROTATION_ARCHITECTURE")
        ));
    }
    let (Some(bucket), Some(key)) = (
        database.get("ROTATION_CODE_BUCKET"),
        database.get("ROTATION_CODE_KEY"),
    ) else {
        problems.push("database: ROTATION_CODE_BUCKET or ROTATION_CODE_KEY is not set".to_owned());
        return problems;
    };
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    );
    let package = match s3.get_object().bucket(bucket).key(key).send().await {
        Ok(object) => object
            .body
            .collect()
            .await
            .expect("the package's bytes")
            .into_bytes(),
        Err(_) => {
            problems.push(format!(
                "database: the rotation package s3://{bucket}/{key} does not exist"
            ));
            return problems;
        }
    };
    let package_sha256 = code_sha256(&package);
    if database.get("ROTATION_CODE_SHA256") != Some(&package_sha256) {
        problems.push(format!(
            "database: ROTATION_CODE_SHA256 is {:?}, the package's is {package_sha256:?}",
            database.get("ROTATION_CODE_SHA256")
        ));
    }
    problems.extend(
        rotation_package_problems(&package)
            .into_iter()
            .map(|problem| format!("the rotation package s3://{bucket}/{key}: {problem}")),
    );
    problems
}

/// Base64 of the package's SHA-256, as Lambda reports `CodeSha256`.
pub fn code_sha256(package: &[u8]) -> String {
    use sha2::Digest;
    aws_smithy_types::base64::encode(sha2::Sha256::digest(package))
}

/// What the rotation function needs of its package: its executable, and the CA bundle its
/// `DB_CA_BUNDLE` names, which the function's own TLS setup accepts.
pub fn rotation_package_problems(package: &[u8]) -> Vec<String> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(package)) else {
        return vec!["is not a zip".to_owned()];
    };
    let mut problems = Vec::new();
    if archive.by_name("bootstrap").is_err() {
        problems
            .push("has no bootstrap (the executable Lambda's OS-only runtime starts)".to_owned());
    }
    let entry = CA_BUNDLE_PATH.trim_start_matches("/var/task/");
    let mut bundle = Vec::new();
    match archive.by_name(entry) {
        Err(_) => problems.push(format!(
            "has no {entry}, which DB_CA_BUNDLE ({CA_BUNDLE_PATH}) names"
        )),
        Ok(mut file) => {
            file.read_to_end(&mut bundle).expect("the bundle's bytes");
            let path = std::env::temp_dir().join(format!(
                "deployed-ca-bundle-{}-{}",
                std::process::id(),
                crate::unique_suffix()
            ));
            std::fs::write(&path, &bundle).expect("a temporary file");
            if let Err(error) = rotation::postgres::tls_config(&path) {
                problems.push(format!(
                    "{entry} is refused by the rotation function: {error}"
                ));
            }
            std::fs::remove_file(&path).expect("the temporary file is removed");
        }
    }
    problems
}
