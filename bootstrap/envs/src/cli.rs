//! The command-line side of `env …`: arguments and how results are printed.

use super::aws::AwsWorkflows;
use super::commands::{self, Follow};
use super::comment;
use super::expiry::{extend, parse_extension};
use super::facts;
use super::pool::up::{up as pool_up, PoolUp};
use super::pool::{environment_of, Machines};
use super::request::{parse_ttl, spec_for, Overrides};
use super::sleep::Wanted;
pub use super::sleep_command::SleepArgs;
use anyhow::Context;
use clap::{Args, Subcommand};
use env_core::arn::ArnScope;
use env_core::spec::TtlHours;
use envctl_common::global::Global;
use envctl_common::progress::Progress;
use envctl_common::sdk::{runtime, sdk_config};
use envctl_deploy::asl;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

#[derive(Debug, Subcommand)]
pub enum EnvCommand {
    #[command(flatten)]
    Workflow(WorkflowCommand),
    /// Audit an environment: the controls of docs/compliance.md, the loss of each AZ, and its cost.
    /// Exits non-zero on any finding.
    Audit(AuditArgs),
}

/// The commands that drive the deployed workflows (the audit reads AWS directly).
#[derive(Debug, Subcommand)]
pub enum WorkflowCommand {
    /// Validate the spec, start the provision workflow, follow it and print the outputs.
    Up(UpArgs),
    /// Start the teardown workflow and follow it.
    Down(DownArgs),
    /// The environment's latest execution and where it is.
    Status(TargetArgs),
    /// The environment's outputs, from the `outputs` function.
    Outputs(DownArgs),
    /// Every environment (found by tag), with age, expiry and state.
    List,
    /// Put the environment to sleep: a provision of its current spec with `asleep` (no task, no
    /// NAT gateway, no cache), followed as `up` follows; nothing starts when it sleeps already.
    Sleep(SleepArgs),
    /// Wake a sleeping environment: a provision of its current spec without `asleep`.
    Wake(SleepArgs),
    /// Move the environment's expiry to now + TTL (the scheduled cleanup keeps it until then).
    Extend(ExtendArgs),
    /// The pull request's comment on its environment (Markdown): URL, state, cost, expiry, and a
    /// warning once the cleanup is near.
    Comment(CommentArgs),
}

/// `--suffix pr-42` or `--pr 42`: a pull request's environment is the pool environment it claimed,
/// else `pr-<number>` ([`environment_of`]).
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct TargetArgs {
    /// The environment suffix, such as pr-42.
    #[arg(long)]
    pub(crate) suffix: Option<String>,

    /// The pull request whose environment it is: the pool environment it claimed, else pr-<number>.
    #[arg(long)]
    pub(crate) pr: Option<u32>,
}

impl TargetArgs {
    /// The one of the two given (the group is required and exclusive), a pull request resolved to
    /// its environment.
    pub(crate) async fn suffix<C: super::api::Workflows>(
        &self,
        cloud: &C,
        region: &str,
    ) -> anyhow::Result<String> {
        if let Some(suffix) = &self.suffix {
            return Ok(suffix.clone());
        }
        let number = self.pr.context("give --suffix or --pr")?;
        let scope = ArnScope::new(region, cloud.account().await?);
        environment_of(cloud, &Machines::new(&scope), number).await
    }
}

#[derive(Debug, Args)]
pub struct ExtendArgs {
    #[command(flatten)]
    target: TargetArgs,

    /// The new time to live from now, such as 48h or 2d (1 hour to 30 days, as `ttlHours`).
    #[arg(long, value_parser = parse_extension)]
    ttl: TtlHours,
}

#[derive(Debug, Args)]
pub struct CommentArgs {
    #[command(flatten)]
    target: TargetArgs,

    /// Warn in the comment once the environment expires within this time.
    #[arg(long, default_value = "12h", value_parser = humantime::parse_duration)]
    warn_before: Duration,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub(crate) suffix: SuffixArgs,

    /// The spec it was made from (its forceDestroy waives deletion protection); defaults otherwise.
    #[arg(long)]
    pub(crate) spec: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SuffixArgs {
    /// The environment suffix, such as pr-42.
    #[arg(long)]
    pub(crate) suffix: String,
}

#[derive(Debug, Args)]
pub struct FollowArgs {
    /// Names this request: the same id (or, without one, the same spec) starts one execution only,
    /// however often it is triggered. CI passes the commit, so each push provisions again.
    #[arg(long)]
    pub(crate) request_id: Option<String>,

    /// Start the execution and return without following it.
    #[arg(long)]
    pub(crate) no_wait: bool,

    /// How long to follow the execution before giving up (it keeps running).
    #[arg(long, default_value = "2h", value_parser = humantime::parse_duration)]
    pub(crate) timeout: Duration,

    /// How often to poll the execution.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub(crate) poll: Duration,
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// The environment suffix, such as pr-42; with --pr, pr-<number> by default, and used only
    /// when the warm pool has no environment for the pull request.
    #[arg(long, required_unless_present = "pr")]
    pub(crate) suffix: Option<String>,

    /// The environment spec (JSON); without it, examples/pr.json's demo settings.
    #[arg(long)]
    pub(crate) spec: Option<PathBuf>,

    /// Time to live, such as 72h or 3d: the scheduled cleanup tears the environment down after it.
    #[arg(long, value_parser = parse_ttl)]
    pub(crate) ttl: Option<u32>,

    /// The pull request number, recorded as a tag. With a time to live (--ttl, or ttlHours in the
    /// spec), claims a warm-pool environment whose fixed settings match the spec, unless the pull
    /// request's own environment stands already. Without one it claims nothing and provisions its
    /// own: a claimed environment would keep the pool's expiry and be torn down at the pool's age.
    #[arg(long)]
    pub(crate) pr: Option<u32>,

    /// After a claim, start no replacement pool environment (the hourly cleanup refills the pool).
    #[arg(long, requires = "pr")]
    pub(crate) no_refill: bool,

    #[command(flatten)]
    pub(crate) follow: FollowArgs,
}

#[derive(Debug, Args)]
pub struct DownArgs {
    #[command(flatten)]
    pub(crate) target: TargetArgs,

    /// The spec; without it, the one the environment was last provisioned with.
    #[arg(long)]
    pub(crate) spec: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) follow: FollowArgs,
}

fn follow(args: &FollowArgs) -> Follow {
    Follow {
        timeout: (!args.no_wait).then_some(args.timeout),
        poll: args.poll,
    }
}

pub fn run(
    global: &Global,
    command: EnvCommand,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: bool,
) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let config = sdk_config(global).await;
        match command {
            EnvCommand::Audit(args) => {
                let spec = args.spec.as_deref();
                let cloudwatch = cloudwatch(&config, global);
                let reach = envctl_audit::command::Reach {
                    config: &config,
                    cloudwatch: &cloudwatch,
                };
                envctl_audit::command::run(reach, &args.suffix.suffix, spec, global.json, out).await
            }
            EnvCommand::Workflow(command) => {
                let cloud = AwsWorkflows::new(&config);
                run_with(&cloud, global, command, out, err, terminal).await
            }
        }
    })
}

/// A CloudWatch client for the global options ([`Global::cloudwatch_endpoint`]).
fn cloudwatch(config: &aws_config::SdkConfig, global: &Global) -> aws_sdk_cloudwatch::Client {
    let mut builder = aws_sdk_cloudwatch::config::Builder::from(config);
    if let Some(endpoint) = global.cloudwatch_endpoint() {
        builder = builder.endpoint_url(endpoint);
    }
    aws_sdk_cloudwatch::Client::from_conf(builder.build())
}

/// The `env` commands against any [`super::api::Workflows`].
pub(crate) async fn run_with<C: super::api::Workflows>(
    cloud: &C,
    global: &Global,
    command: WorkflowCommand,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: bool,
) -> anyhow::Result<()> {
    let region = global.region.as_str();
    match command {
        WorkflowCommand::Up(args) => {
            let mut progress = Progress::new(err, terminal);
            up(cloud, global, &args, out, &mut progress).await
        }
        WorkflowCommand::Down(args) => {
            let mut progress = Progress::new(err, terminal);
            down(cloud, global, &args, out, &mut progress).await
        }
        WorkflowCommand::Status(args) => status(cloud, global, &args, out).await,
        WorkflowCommand::Outputs(args) => {
            let spec = spec_of(cloud, region, &args).await?;
            let answer = commands::outputs(cloud, &spec).await?;
            print_outputs(&answer["outputs"], global.json, out)
        }
        WorkflowCommand::Extend(args) => extend_expiry(cloud, global, &args, out).await,
        WorkflowCommand::Comment(args) => print_comment(cloud, global, &args, out).await,
        WorkflowCommand::List => list(cloud, global, out).await,
        WorkflowCommand::Sleep(args) => {
            let mut progress = Progress::new(err, terminal);
            let asked = (&args, Wanted::Asleep);
            super::sleep_command::run(cloud, global, asked, out, &mut progress).await
        }
        WorkflowCommand::Wake(args) => {
            let mut progress = Progress::new(err, terminal);
            let asked = (&args, Wanted::Awake);
            super::sleep_command::run(cloud, global, asked, out, &mut progress).await
        }
    }
}

/// `env up`: admits the spec, starts the provision workflow and prints how it ended.
async fn up<C: super::api::Workflows>(
    cloud: &C,
    global: &Global,
    args: &UpArgs,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    // The spec is checked before anything reaches AWS.
    let overrides = Overrides {
        ttl_hours: args.ttl,
        pull_request: args.pr,
    };
    let of_pr = args.pr.map(|number| format!("pr-{number}"));
    let suffix = args
        .suffix
        .clone()
        .or(of_pr)
        .context("give --suffix or --pr")?;
    let spec = spec_for(&suffix, args.spec.as_deref(), &overrides)?;
    if args.pr.is_some() {
        let asked = PoolUp {
            region: global.region.as_str(),
            request: args.follow.request_id.as_deref(),
            follow: follow(&args.follow),
            no_refill: args.no_refill,
        };
        if let Some(claimed) = pool_up(cloud, &spec, asked, progress).await? {
            return print_execution(commands::succeeded(claimed)?, global.json, out);
        }
    }
    commands::admit(cloud, &spec, progress).await?;
    let workflow = (asl::PROVISION_NAME, &args.follow);
    start_and_print(cloud, global, workflow, &spec, out, progress).await
}

/// `env down`: starts the teardown workflow and prints how it ended.
async fn down<C: super::api::Workflows>(
    cloud: &C,
    global: &Global,
    args: &DownArgs,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let region = global.region.as_str();
    let spec = spec_of(cloud, region, args).await?;
    // A provision still converging (an `up`, `sleep` or `wake`) would race the deletes.
    commands::stop_running_provisions(cloud, region, spec.suffix().as_str(), progress).await?;
    let workflow = (asl::TEARDOWN_NAME, &args.follow);
    start_and_print(cloud, global, workflow, &spec, out, progress).await
}

/// Starts `workflow` (a state machine's name, and how to follow it) for `spec` and prints how its
/// execution ended: what `env up` and `env down` share.
async fn start_and_print<C: super::api::Workflows>(
    cloud: &C,
    global: &Global,
    (name, following): (&str, &FollowArgs),
    spec: &env_core::spec::EnvironmentSpec,
    out: &mut dyn Write,
    progress: &mut Progress<'_>,
) -> anyhow::Result<()> {
    let execution = commands::start(
        cloud,
        global.region.as_str(),
        name,
        spec,
        following.request_id.as_deref(),
        follow(following),
        progress,
    )
    .await?;
    print_execution(commands::succeeded(execution)?, global.json, out)
}

/// The spec given, or else the one the environment was last provisioned with.
async fn spec_of<C: super::api::Workflows>(
    cloud: &C,
    region: &str,
    args: &DownArgs,
) -> anyhow::Result<env_core::spec::EnvironmentSpec> {
    let suffix = args.target.suffix(cloud, region).await?;
    let spec = match &args.spec {
        Some(path) => spec_for(&suffix, Some(path), &Overrides::default())?,
        None => commands::provisioned_spec(cloud, region, &suffix).await?,
    };
    Ok(spec)
}

/// `env status`: the latest execution, or that there is none.
async fn status<C: super::api::Workflows>(
    cloud: &C,
    global: &Global,
    args: &TargetArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let region = global.region.as_str();
    let suffix = args.suffix(cloud, region).await?;
    let report = commands::status(cloud, region, &suffix).await?;
    if global.json {
        writeln!(out, "{}", serde_json::to_value(&report)?)?;
    } else if let (Some(workflow), Some(execution)) = (report.workflow, &report.execution) {
        let state = report.current_state.as_deref().unwrap_or("-");
        let asleep = if report.asleep { ": asleep" } else { "" };
        let line = format!(
            "{}: {workflow} {} {} (state {state}, started {}){asleep}",
            report.suffix,
            execution.name,
            execution.status,
            humantime::format_rfc3339_seconds(execution.started)
        );
        writeln!(out, "{line}")?;
    } else {
        writeln!(out, "{}: no executions", report.suffix)?;
    }
    Ok(())
}

/// `env extend`: moves the expiry and prints the new one.
async fn extend_expiry<C: super::api::Workflows>(
    cloud: &C,
    global: &Global,
    args: &ExtendArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let suffix = args.target.suffix(cloud, global.region.as_str()).await?;
    let expires_at = extend(cloud, &suffix, args.ttl, SystemTime::now()).await?;
    let stamp = humantime::format_rfc3339_seconds(expires_at);
    if global.json {
        let body = serde_json::json!({"suffix": suffix, "expiresAt": stamp.to_string()});
        writeln!(out, "{body}")?;
    } else {
        writeln!(out, "{suffix} expires at {stamp}")?;
    }
    Ok(())
}

/// `env comment`: the pull request's comment, rendered from the environment's facts.
async fn print_comment<C: super::api::Workflows>(
    cloud: &C,
    global: &Global,
    args: &CommentArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let suffix = args.target.suffix(cloud, global.region.as_str()).await?;
    let facts = facts::facts(cloud, global.region.as_str(), &suffix, args.target.pr).await?;
    let body = comment::render(&facts, SystemTime::now(), args.warn_before);
    if global.json {
        let answer = serde_json::json!({"suffix": suffix, "body": body});
        writeln!(out, "{answer}")?;
    } else {
        out.write_all(body.as_bytes())?;
    }
    Ok(())
}

/// `env list`: every environment, as JSON or one tab-separated row each.
async fn list<C: super::api::Workflows>(
    cloud: &C,
    global: &Global,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let listed = commands::list(cloud, global.region.as_str(), SystemTime::now()).await?;
    if global.json {
        writeln!(out, "{}", serde_json::to_value(&listed)?)?;
        return Ok(());
    }
    let dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    writeln!(out, "SUFFIX\tAGE\tEXPIRES\tPR\tSTATE")?;
    for row in &listed {
        let line = format!(
            "{}\t{}\t{}\t{}\t{}",
            row.suffix,
            dash(&row.age),
            dash(&row.expires_at),
            dash(&row.pull_request),
            dash(&row.state)
        );
        writeln!(out, "{line}")?;
    }
    Ok(())
}

pub(crate) fn print_execution(
    execution: super::api::Execution,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_value(&execution)?)?;
        return Ok(());
    }
    writeln!(out, "{} {}", execution.name, execution.status)?;
    let outputs = execution
        .output
        .as_ref()
        .map_or(Value::Null, |output| output["outputs"].clone());
    print_outputs(&outputs, false, out)
}

/// The outputs document: as JSON, or one `key: value` line each.
pub fn print_outputs(outputs: &Value, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    if json {
        writeln!(out, "{outputs}")?;
        return Ok(());
    }
    if let Some(fields) = outputs.as_object() {
        for (key, value) in fields {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            writeln!(out, "{key}: {text}")?;
        }
    }
    Ok(())
}
