//! The backend as `envctl deploy` left it in an emulator, read back the way AWS would run it: the
//! state machines' definitions, each function's configuration and package (downloaded from where
//! `GetFunction` says, checked against its `CodeSha256`, unpacked), and the cleanup schedule's
//! target. The local runner (tools/workflow/run.mjs `--deployed`) runs exactly this, so a setting
//! deploy forgets, or a file a package lacks, fails locally as it would in AWS.

use anyhow::{bail, Context};
use aws_sdk_lambda::types::FunctionConfiguration;
use envctl_deploy::apply::code_sha256;
use envctl_deploy::asl::{self, ArnScope};
use envctl_deploy::policies::FUNCTIONS;
use envctl_deploy::resources;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Where the manifest is written, under the directory given to [`read_back`].
pub const MANIFEST: &str = "manifest.json";

/// What the runner needs to run the deployed backend (`--deployed <manifest>`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// By ARN, as Task states and `startExecution` name them.
    pub state_machines: BTreeMap<String, StateMachine>,
    /// By ARN, as Task states name them.
    pub functions: BTreeMap<String, Function>,
    pub schedule: Schedule,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateMachine {
    pub name: String,
    pub definition: Value,
    pub role_arn: String,
}

/// A function as Lambda would start it.
#[derive(Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Function {
    pub name: String,
    /// The unpacked package: Lambda's `/var/task`.
    pub root: PathBuf,
    pub runtime: String,
    pub handler: String,
    pub architecture: String,
    pub timeout_seconds: i32,
    pub memory_mb: i32,
    pub role_arn: String,
    pub environment: BTreeMap<String, String>,
}

#[derive(Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub expression: String,
    pub target_arn: String,
    pub input: Option<String>,
}

/// Reads the deployed backend of `scope` into `dir` (packages under `dir/functions/<name>`) and
/// writes `dir/manifest.json`; returns the manifest's path.
pub async fn read_back(
    config: &aws_config::SdkConfig,
    scope: &ArnScope,
    dir: &Path,
) -> anyhow::Result<PathBuf> {
    let manifest = Manifest {
        functions: functions(config, scope, dir).await?,
        state_machines: state_machines(config, scope).await?,
        schedule: schedule(config).await?,
    };
    let path = dir.join(MANIFEST);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest)?)
        .context(format!("writing {}", path.display()))?;
    Ok(path)
}

/// Every function by its ARN, its package downloaded and unpacked under `dir/functions/<name>`.
async fn functions(
    config: &aws_config::SdkConfig,
    scope: &ArnScope,
    dir: &Path,
) -> anyhow::Result<BTreeMap<String, Function>> {
    let lambda = aws_sdk_lambda::Client::new(config);
    let mut functions = BTreeMap::new();
    for policy in FUNCTIONS {
        let name = policy.function;
        let answer = lambda
            .get_function()
            .function_name(name)
            .send()
            .await
            .context(format!("GetFunction {name}: was the backend deployed?"))?;
        let configuration = answer
            .configuration()
            .context(format!("GetFunction {name} answered no configuration"))?;
        let location = answer
            .code()
            .and_then(|code| code.location())
            .context(format!("GetFunction {name} answered no package location"))?;
        let package = download(location, "package").await?;
        let root = dir.join("functions").join(name);
        unpack(name, &package, configuration.code_sha256(), &root)?;
        functions.insert(
            scope.function(name),
            function_of(name, configuration, root)?,
        );
    }
    Ok(functions)
}

/// The three workflows by their ARN, with their deployed definitions and role.
async fn state_machines(
    config: &aws_config::SdkConfig,
    scope: &ArnScope,
) -> anyhow::Result<BTreeMap<String, StateMachine>> {
    let sfn = aws_sdk_sfn::Client::new(config);
    let mut state_machines = BTreeMap::new();
    for name in [asl::PROVISION_NAME, asl::TEARDOWN_NAME, asl::CLAIM_NAME] {
        let arn = scope.state_machine(name);
        let unread = format!("DescribeStateMachine {name}: was the backend deployed?");
        let answer = sfn
            .describe_state_machine()
            .state_machine_arn(&arn)
            .send()
            .await
            .context(unread)?;
        let definition = serde_json::from_str(answer.definition())
            .context(format!("the deployed definition of {name} is not JSON"))?;
        state_machines.insert(
            arn,
            StateMachine {
                name: name.to_owned(),
                definition,
                role_arn: answer.role_arn().to_owned(),
            },
        );
    }
    Ok(state_machines)
}

/// The hourly schedule that runs the cleanup function.
async fn schedule(config: &aws_config::SdkConfig) -> anyhow::Result<Schedule> {
    let scheduler = aws_sdk_scheduler::Client::new(config);
    let unread = format!(
        "GetSchedule {}: was the backend deployed?",
        resources::SCHEDULE
    );
    let answer = scheduler
        .get_schedule()
        .name(resources::SCHEDULE)
        .send()
        .await
        .context(unread)?;
    let answered_no =
        |member: &str| format!("GetSchedule {} answered no {member}", resources::SCHEDULE);
    let expression = answer
        .schedule_expression()
        .context(answered_no("ScheduleExpression"))?;
    let target = answer.target().context(answered_no("Target"))?;
    Ok(Schedule {
        expression: expression.to_owned(),
        target_arn: target.arn().to_owned(),
        input: target.input().map(str::to_owned),
    })
}

/// The function's settings as Lambda answered them.
pub fn function_of(
    name: &str,
    configuration: &FunctionConfiguration,
    root: PathBuf,
) -> anyhow::Result<Function> {
    // Lambda leaves Environment out of the answer of a function that has no variables.
    let environment = configuration
        .environment()
        .and_then(|environment| environment.variables())
        .map(|variables| variables.clone().into_iter().collect())
        .unwrap_or_default();
    Ok(Function {
        name: name.to_owned(),
        root,
        runtime: configuration
            .runtime()
            .map(|runtime| runtime.as_str().to_owned())
            .context(format!("{name} has no runtime"))?,
        handler: configuration
            .handler()
            .context(format!("{name} has no handler"))?
            .to_owned(),
        // Lambda's default when none is given (Lambda API reference, CreateFunction).
        architecture: configuration
            .architectures()
            .first()
            .map_or("x86_64", |architecture| architecture.as_str())
            .to_owned(),
        timeout_seconds: configuration.timeout().unwrap_or(3),
        memory_mb: configuration.memory_size().unwrap_or(128),
        role_arn: configuration
            .role()
            .context(format!("{name} has no role"))?
            .to_owned(),
        environment,
    })
}

/// `GET location`: the bytes of the `what` there (the emulator serves plain HTTP).
pub(super) async fn download(location: &str, what: &str) -> anyhow::Result<Vec<u8>> {
    use http_body_util::{BodyExt, Empty};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let uri: hyper::Uri = location
        .parse()
        .context(format!("the {what} location {location:?} is no URL"))?;
    let client: Client<_, Empty<bytes::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let response = client
        .get(uri)
        .await
        .context(format!("downloading the {what} from {location}"))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .context(format!("reading the {what} from {location}"))?
        .to_bytes();
    if !status.is_success() {
        bail!("downloading the {what} from {location}: HTTP {status}");
    }
    Ok(body.to_vec())
}

/// Unpacks function `name`'s `package` into `root` once it matches `expected` (`CodeSha256`);
/// a root already holding that package is kept.
pub fn unpack(
    name: &str,
    package: &[u8],
    expected: Option<&str>,
    root: &Path,
) -> anyhow::Result<()> {
    let actual = code_sha256(package);
    if expected != Some(actual.as_str()) {
        bail!(
            "the package of {name} is not what Lambda holds: CodeSha256 {expected:?}, downloaded {actual}"
        );
    }
    let stamp = root.join(".code-sha256");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(actual.as_str()) {
        return Ok(());
    }
    if root.exists() {
        std::fs::remove_dir_all(root)?;
    }
    zip::ZipArchive::new(Cursor::new(package))
        .and_then(|mut archive| archive.extract(root))
        .context(format!(
            "unpacking the package of {name} into {}",
            root.display()
        ))?;
    std::fs::write(stamp, actual)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_server::answering_once;
    use aws_sdk_lambda::types::{Architecture, EnvironmentResponse, Runtime};

    #[test]
    fn a_function_reads_as_lambda_answered_it_with_lambdas_defaults_where_it_is_silent() {
        let configuration = FunctionConfiguration::builder()
            .runtime(Runtime::Providedal2023)
            .handler("bootstrap")
            .architectures(Architecture::Arm64)
            .timeout(60)
            .memory_size(256)
            .role("arn:aws:iam::123456789012:role/catalog-fn-network")
            .environment(
                EnvironmentResponse::builder()
                    .variables("ROLE_PERMISSIONS_BOUNDARY", "arn:boundary")
                    .build(),
            )
            .build();
        let function = function_of("network", &configuration, "/tmp/network".into()).unwrap();
        assert_eq!(
            function,
            Function {
                name: "network".into(),
                root: "/tmp/network".into(),
                runtime: "provided.al2023".into(),
                handler: "bootstrap".into(),
                architecture: "arm64".into(),
                timeout_seconds: 60,
                memory_mb: 256,
                role_arn: "arn:aws:iam::123456789012:role/catalog-fn-network".into(),
                environment: [("ROLE_PERMISSIONS_BOUNDARY".into(), "arn:boundary".into())].into(),
            }
        );

        let bare = FunctionConfiguration::builder()
            .runtime(Runtime::Providedal2023)
            .handler("bootstrap")
            .role("arn:aws:iam::123456789012:role/catalog-fn-cache")
            .build();
        let function = function_of("cache", &bare, "/tmp/cache".into()).unwrap();
        assert_eq!(
            (
                function.architecture.as_str(),
                function.timeout_seconds,
                function.memory_mb,
                function.environment.len()
            ),
            ("x86_64", 3, 128, 0)
        );
        let error = function_of(
            "edge",
            &FunctionConfiguration::builder().build(),
            "/".into(),
        )
        .unwrap_err();
        assert_eq!(error.to_string(), "edge has no runtime");
        let runtime = || FunctionConfiguration::builder().runtime(Runtime::Providedal2023);
        let error = function_of("edge", &runtime().role("arn:role").build(), "/".into());
        assert_eq!(error.unwrap_err().to_string(), "edge has no handler");
        let error = function_of("edge", &runtime().handler("bootstrap").build(), "/".into());
        assert_eq!(error.unwrap_err().to_string(), "edge has no role");
    }

    #[test]
    fn a_package_is_unpacked_once_and_only_when_it_is_what_lambda_holds() {
        let dir = std::env::temp_dir().join(format!("envctl-unpack-{}", std::process::id()));
        let root = dir.join("network");
        let package = super::super::package::zip_executable(b"first").unwrap();
        let sha = code_sha256(&package);

        let error = unpack("network", &package, Some("other"), &root).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("the package of network is not what Lambda holds: CodeSha256 Some(\"other\"), downloaded {sha}")
        );
        assert!(!root.exists());

        unpack("network", &package, Some(&sha), &root).unwrap();
        assert_eq!(std::fs::read(root.join("bootstrap")).unwrap(), b"first");
        // The same package again: what is there is kept.
        std::fs::write(root.join("bootstrap"), b"kept").unwrap();
        unpack("network", &package, Some(&sha), &root).unwrap();
        assert_eq!(std::fs::read(root.join("bootstrap")).unwrap(), b"kept");
        // A new package replaces the old one entirely.
        std::fs::write(root.join("leftover"), b"old").unwrap();
        let second = super::super::package::zip_executable(b"second").unwrap();
        unpack("network", &second, Some(&code_sha256(&second)), &root).unwrap();
        assert_eq!(std::fs::read(root.join("bootstrap")).unwrap(), b"second");
        assert!(!root.join("leftover").exists());

        let broken = b"not a zip".to_vec();
        let error = unpack(
            "cache",
            &broken,
            Some(&code_sha256(&broken)),
            &dir.join("cache"),
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("unpacking the package of cache into "),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_download_that_fails_names_the_location_and_the_answer() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let error = runtime
            .block_on(download("not a url", "package"))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the package location \"not a url\" is no URL"
        );

        // Nothing listens on a port held but never listening.
        let (_held, port) = crate::test_server::refusing_port();
        let location = format!("http://127.0.0.1:{port}/package");
        let error = runtime
            .block_on(download(&location, "package"))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("downloading the package from {location}")
        );

        // A server that answers 404.
        let (address, server) = answering_once("404 Not Found", b"no");
        let location = format!("{address}/missing");
        let error = runtime
            .block_on(download(&location, "package"))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("downloading the package from {location}: HTTP 404 Not Found")
        );
        server.join().unwrap();

        // And one that answers the package.
        let (address, server) = answering_once("200 OK", b"PK");
        let location = format!("{address}/package");
        assert_eq!(
            runtime.block_on(download(&location, "package")).unwrap(),
            b"PK"
        );
        server.join().unwrap();
    }
}
