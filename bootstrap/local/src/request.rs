//! `local request`: one request to an environment's URL as its load balancer hands it to the
//! waker while the environment sleeps: the Application Load Balancer's Lambda event for the
//! environment's wake target group (`tg-wake-<suffix>`), given to the deployed `waker` package as
//! Lambda would run it. moto records the wake provision the waker starts and runs none, so it is
//! then run here and its outcome recorded there, as `local cleanup` runs the sleeps it started.

use super::command::{manifest, running, setting, LocalArgs};
use super::emulator;
use super::pool::Run;
use super::runner::{self, Finished};
use anyhow::Context;
use aws_sdk_elasticloadbalancingv2::error::ProvideErrorMetadata;
use clap::Args;
use env_core::arn::ArnScope;
use env_core::naming::{NameKind, Names};
use env_core::spec::EnvironmentSuffix;
use envctl_common::global::Global;
use envctl_common::progress::Progress;
use envctl_common::sdk::runtime;
use envctl_deploy::invocation::WAKER;
use envctl_envs::api::Workflows;
use envctl_envs::aws::AwsWorkflows;
use envctl_envs::pool::{environment_of, owner, Machines};
use envctl_envs::sleep::Refusal;
use serde_json::{json, Map, Value};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The request's path, and query if any (`/orders?page=2`).
    #[arg(long, default_value = "/")]
    pub(crate) path: String,

    /// The request's method.
    #[arg(long, default_value = "GET")]
    pub(crate) method: String,

    #[command(flatten)]
    pub(crate) local: LocalArgs,
}

/// A request refused before anything runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    Path(String),
    Method(String),
    /// The suffix, and why it is not one.
    Suffix(String, String),
}

impl Invalid {
    /// The stable name scripts can match on.
    pub fn name(&self) -> &'static str {
        "InvalidRequest"
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::Path(path) => write!(
                f,
                "{}: --path {path:?}: allowed: a path starting with `/`, without spaces or control characters, optionally with a `?query`",
                self.name()
            ),
            Invalid::Method(method) => write!(
                f,
                "{}: --method {method:?}: allowed: an HTTP method in capitals (GET, HEAD, POST, …), at most 16 letters",
                self.name()
            ),
            Invalid::Suffix(suffix, reason) => {
                write!(f, "{}: --suffix {suffix:?}: {reason}", self.name())
            }
        }
    }
}

impl std::error::Error for Invalid {}

/// Refuses a path or method a load balancer would never forward (RFC 9110: a method is a token,
/// upper case by convention; a request target has no spaces), and a suffix no environment has.
pub fn check(path: &str, method: &str, suffix: Option<&str>) -> Result<(), Invalid> {
    if let Some(suffix) = suffix {
        let parsed = EnvironmentSuffix::parse(suffix);
        parsed.map_err(|reason| Invalid::Suffix(suffix.to_owned(), reason))?;
    }
    let path_ok =
        path.starts_with('/') && !path.chars().any(|c| c.is_whitespace() || c.is_control());
    if !path_ok {
        return Err(Invalid::Path(path.to_owned()));
    }
    let method_ok =
        !method.is_empty() && method.len() <= 16 && method.chars().all(|c| c.is_ascii_uppercase());
    if !method_ok {
        return Err(Invalid::Method(method.to_owned()));
    }
    Ok(())
}

/// The Application Load Balancer's Lambda event for a request to `path` (ELB user guide, "Lambda
/// functions as targets", "Receive events from the load balancer"): the target group, the method,
/// the path and the query parameters, as the load balancer passes them (not decoded), the headers
/// it adds, and no body. Multi-value headers are off, as on a new target group.
pub fn event(target_group_arn: &str, method: &str, path: &str) -> Value {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut parameters = Map::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        parameters.insert(key.to_owned(), json!(value));
    }
    json!({
        "requestContext": {"elb": {"targetGroupArn": target_group_arn}},
        "httpMethod": method,
        "path": path,
        "queryStringParameters": parameters,
        "headers": {
            "host": "localhost",
            "user-agent": "envctl local request",
            "x-forwarded-for": "127.0.0.1",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
        },
        "body": "",
        "isBase64Encoded": false,
    })
}

/// The ARN of the environment's wake target group as the emulator holds it, or, when it holds
/// none (the environment is gone, or its edge removed it), the ARN it would have: a request that
/// reached the waker that way is answered from the environment's executions all the same, which
/// is what the waker is for.
async fn wake_target_group(
    config: &aws_config::SdkConfig,
    scope: &ArnScope,
    suffix: &str,
) -> anyhow::Result<String> {
    let suffix = EnvironmentSuffix::parse(suffix).map_err(anyhow::Error::msg)?;
    let name = Names::new(&suffix).of(NameKind::WakeTargetGroup);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(config);
    let found = elb.describe_target_groups().names(&name).send().await;
    let described = format!("DescribeTargetGroups {name}");
    let groups = match found {
        // ELBv2 API reference, DescribeTargetGroups: a name that matches none is an error.
        Err(error) if error.code() == Some("TargetGroupNotFound") => Vec::new(),
        answer => answer.context(described)?.target_groups.unwrap_or_default(),
    };
    let arn = groups.into_iter().find_map(|group| group.target_group_arn);
    let stand_in = scope.regional(
        "elasticloadbalancing",
        &format!("targetgroup/{name}/0000000000000000"),
    );
    Ok(arn.unwrap_or(stand_in))
}

/// The running provisions of `suffix` the emulator records.
async fn running_provisions(
    cloud: &AwsWorkflows,
    machines: &Machines,
    suffix: &str,
) -> anyhow::Result<Vec<String>> {
    let listed = cloud.executions(&machines.provision).await?;
    let running = listed
        .into_iter()
        .filter(|summary| owner(&summary.name) == Some(suffix) && summary.status == "RUNNING");
    Ok(running.map(|summary| summary.arn).collect())
}

/// Runs the deployed waker with `event` as Lambda would: the runner invokes one deployed function
/// only as the schedule's target, so a copy of the manifest names the waker as the target, with
/// the event as its input.
fn invoke(
    place: &Run<'_>,
    scope: &ArnScope,
    event: &Value,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Finished> {
    let text = std::fs::read_to_string(place.manifest)
        .context(format!("reading {}", place.manifest.display()))?;
    let mut deployed: Value = serde_json::from_str(&text).context("the deployed manifest")?;
    deployed["schedule"] = json!({
        "expression": "a request to the load balancer",
        "targetArn": scope.function(WAKER),
        "input": event.to_string(),
    });
    let copy = request_manifest(place.manifest);
    std::fs::write(&copy, deployed.to_string()).context(format!("writing {}", copy.display()))?;
    let root = &place.setting.root;
    let finished = runner::run(
        root,
        &copy,
        "schedule",
        &json!({}),
        place.endpoints,
        progress,
    );
    std::fs::remove_file(&copy).ok();
    super::command::succeeded("waker", "the request", finished?, progress)
}

/// Beside the manifest, one per process, so that requests at once do not share one.
fn request_manifest(manifest: &Path) -> PathBuf {
    manifest.with_file_name(format!("request-{}.json", std::process::id()))
}

/// The page's `<title>`, else its first line.
pub fn title_of(body: &str) -> &str {
    let title = body
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"));
    title.map_or(body.lines().next().unwrap_or(""), |(title, _)| title)
}

pub(super) fn run(
    global: &Global,
    args: &RequestArgs,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    check(&args.path, &args.method, args.local.suffix.as_deref())?;
    let setting = setting(&args.local.place)?;
    let Some((endpoints, _)) = running(global, &setting) else {
        // moto keeps nothing once stopped: no environment stands without one.
        let suffix = args.local.suffix();
        return Err(Refusal::NotFound { suffix }.into());
    };
    runner::check_installed(&setting.root)?;
    let manifest = manifest(&setting, &endpoints, args.local.no_deploy, progress)?;
    let runtime = runtime()?;
    let config = runtime.block_on(emulator::sdk_config(&endpoints));
    let (cloud, scope) = runtime.block_on(super::sleep::connect(&endpoints))?;
    let machines = Machines::new(&scope);
    let suffix = match (&args.local.suffix, args.local.pr) {
        (None, Some(number)) => runtime.block_on(environment_of(&cloud, &machines, number))?,
        _ => args.local.suffix(),
    };
    let arn = runtime.block_on(wake_target_group(&config, &scope, &suffix))?;
    let before = runtime.block_on(running_provisions(&cloud, &machines, &suffix))?;
    let place = Run {
        setting: &setting,
        manifest: &manifest,
        endpoints: &endpoints,
    };
    let request = event(&arn, &args.method, &args.path);
    let finished = invoke(&place, &scope, &request, progress)?;
    let response = finished.body["output"].clone();
    let after = runtime.block_on(running_provisions(&cloud, &machines, &suffix))?;
    // What the waker started: moto runs none, so it is run here, as Step Functions would.
    let mut woken = Vec::new();
    for started in after.iter().filter(|arn| !before.contains(arn)) {
        let input = runtime.block_on(cloud.describe(started))?.input;
        place.recorded("provision", &suffix, started, &input, progress)?;
        woken.push(started.rsplit(':').next().unwrap_or_default().to_owned());
    }
    print(&suffix, &response, &woken, global.json, out)
}

fn print(
    suffix: &str,
    response: &Value,
    woken: &[String],
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let body = response["body"].as_str().unwrap_or_default();
    let status = response["statusDescription"].as_str().unwrap_or_default();
    if json {
        let said = json!({
            "suffix": suffix,
            "statusCode": response["statusCode"],
            "statusDescription": status,
            "headers": response["headers"],
            "title": title_of(body),
            "body": body,
            "woken": woken,
        });
        writeln!(out, "{said}")?;
        return Ok(());
    }
    // A HEAD request's page has no body: the status alone.
    match title_of(body) {
        "" => writeln!(out, "{suffix}: {status}")?,
        title => writeln!(out, "{suffix}: {status}: {title}")?,
    }
    for execution in woken {
        writeln!(out, "{suffix}: woken by the request: {execution}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_methods_a_load_balancer_would_not_forward_are_refused() {
        assert_eq!(check("/", "GET", None), Ok(()));
        assert_eq!(check("/orders?page=2", "HEAD", Some("pr-7")), Ok(()));
        let error = check("orders", "GET", None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "InvalidRequest: --path \"orders\": allowed: a path starting with `/`, without spaces or control characters, optionally with a `?query`"
        );
        assert_eq!(
            check("/a b", "GET", None),
            Err(Invalid::Path("/a b".into()))
        );
        assert_eq!(check("/", "get", None), Err(Invalid::Method("get".into())));
        assert_eq!(check("/", "", None), Err(Invalid::Method(String::new())));
        assert!(check("/", "GET", None)
            .and(check("/", "X", None).and(check("/", &"A".repeat(17), None)))
            .unwrap_err()
            .to_string()
            .starts_with(
                "InvalidRequest: --method \"AAAAAAAAAAAAAAAAA\": allowed: an HTTP method"
            ));
        let error = check("/", "GET", Some("Not_A_Suffix")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("InvalidRequest: --suffix \"Not_A_Suffix\": "),
            "{error}"
        );
    }

    #[test]
    fn the_event_is_the_load_balancers_with_the_query_apart() {
        let arn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tg-wake-pr-7/0000000000000000";
        let event = event(arn, "GET", "/orders?page=2&flag&=x");
        assert_eq!(event["requestContext"]["elb"]["targetGroupArn"], arn);
        assert_eq!(event["path"], "/orders");
        assert_eq!(
            event["queryStringParameters"],
            json!({"page": "2", "flag": "", "": "x"})
        );
        assert_eq!(event["isBase64Encoded"], false);
        assert_eq!(
            super::event(arn, "HEAD", "/")["queryStringParameters"],
            json!({})
        );
    }

    #[test]
    fn the_page_is_summed_up_by_its_title_else_its_first_line() {
        assert_eq!(
            title_of("<!doctype html>\n<title>Waking up</title>"),
            "Waking up"
        );
        assert_eq!(title_of("plain\nmore"), "plain");
        assert_eq!(title_of(""), "");
        let mut out = Vec::new();
        let response = json!({"statusCode": 503, "statusDescription": "503 Service Unavailable", "body": "<title>Waking up</title>"});
        print("pr-7", &response, &["w-1".to_owned()], false, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "pr-7: 503 Service Unavailable: Waking up\npr-7: woken by the request: w-1\n"
        );
        let mut out = Vec::new();
        let head =
            json!({"statusCode": 503, "statusDescription": "503 Service Unavailable", "body": ""});
        print("pr-7", &head, &[], false, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "pr-7: 503 Service Unavailable\n"
        );
        let mut out = Vec::new();
        print("pr-7", &response, &[], true, &mut out).unwrap();
        let said: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            (said["statusCode"].clone(), said["title"].clone()),
            (json!(503), json!("Waking up"))
        );
        assert_eq!(
            request_manifest(Path::new("/w/deployed/manifest.json")).parent(),
            Some(Path::new("/w/deployed"))
        );
    }
}
