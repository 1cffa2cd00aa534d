//! Command-line parsing and the error report every command shares.

use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Creates, inspects and destroys per-pull-request environments of the catalog API.
#[derive(Debug, Parser)]
#[command(name = "envctl", version)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Print results as JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// The AWS region (the backend supports us-west-2 only).
    #[arg(long, global = true, default_value = env_core::aws::DEFAULT_REGION)]
    pub region: String,

    /// The AWS profile to use (default: the SDK's credential chain).
    #[arg(long, global = true)]
    pub profile: Option<String>,

    /// Send every AWS call to this endpoint instead (an emulator such as moto).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,

    /// Send CloudWatch calls to this endpoint (default: AWS_ENDPOINT_URL_CLOUDWATCH, else
    /// --endpoint-url); moto answers CloudWatch only through the emulator's CBOR proxy.
    #[arg(long, global = true)]
    pub cloudwatch_endpoint_url: Option<String>,
}

impl Global {
    /// Where CloudWatch calls go when not to AWS: an endpoint set in code (`--endpoint-url`)
    /// overrides the SDK's per-service variables, so `AWS_ENDPOINT_URL_CLOUDWATCH` is read here.
    pub fn cloudwatch_endpoint(&self) -> Option<String> {
        self.cloudwatch_endpoint_url
            .clone()
            .or_else(|| std::env::var("AWS_ENDPOINT_URL_CLOUDWATCH").ok())
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with environment specs without touching AWS.
    #[command(subcommand)]
    Spec(SpecCommand),
    /// Create or update the backend: roles, functions, state machines, rotation package, schedule.
    Deploy(crate::deploy::command::DeployArgs),
    /// Remove the backend (refuses while environments exist, unless --force).
    Undeploy(crate::deploy::command::UndeployArgs),
    /// Drive environments in AWS through the deployed state machines.
    #[command(subcommand)]
    Env(crate::envs::cli::EnvCommand),
    /// Run the workflows on this machine against an AWS emulator (no AWS account needed).
    #[command(subcommand)]
    Local(crate::local::command::LocalCommand),
}

#[derive(Debug, Subcommand)]
enum SpecCommand {
    /// Validate a spec file (`-` for stdin) and print it with every default filled in.
    Check {
        /// The spec, as JSON.
        file: PathBuf,
    },
    /// Estimate what an environment built from a spec costs per hour and month, idle and at peak.
    Cost {
        /// The spec, as JSON.
        file: PathBuf,
    },
    /// Print every AWS name an environment with this suffix would use, with each name's limit.
    Names {
        /// The environment suffix, such as pr-42.
        suffix: String,
    },
}

/// Runs one command line with plain progress lines. Results go to `out`; progress and errors, with
/// their chain of causes, to `err`.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    stdin: impl Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    run_with(args, stdin, out, err, false)
}

/// [`run`], with `terminal` saying whether `err` is a terminal (a spinner instead of lines).
pub fn run_with(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    stdin: impl Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: bool,
) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version are successful exits that clap reports as "errors".
            let rendered = error.render().to_string();
            let target: &mut dyn Write = if error.use_stderr() { err } else { out };
            let _ = write!(target, "{rendered}");
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    let global = cli.global;
    let json = global.json;
    let result = match cli.command {
        Command::Spec(SpecCommand::Check { file }) => {
            crate::spec_commands::check(&file, stdin, json, out)
        }
        Command::Spec(SpecCommand::Cost { file }) => {
            crate::spec_commands::cost(&file, stdin, json, out)
        }
        Command::Spec(SpecCommand::Names { suffix }) => {
            crate::spec_commands::names(&suffix, json, out)
        }
        Command::Deploy(args) => crate::deploy::command::deploy(&global, &args, out, err, terminal),
        Command::Undeploy(args) => {
            crate::deploy::command::undeploy(&global, &args, out, err, terminal)
        }
        Command::Env(command) => crate::envs::cli::run(&global, command, out, err, terminal),
        Command::Local(command) => crate::local::command::run(&global, command, out, err, terminal),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            match crate::reach::explain(&error, global.endpoint_url.as_deref()) {
                Some(line) => {
                    let _ = writeln!(err, "error: {line}");
                }
                None => {
                    let _ = writeln!(err, "error: {error:#}");
                }
            }
            ExitCode::FAILURE
        }
    }
}

/// The SDK configuration the global options describe.
pub async fn sdk_config(global: &Global) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(global.region.clone()))
        .retry_config(env_core::aws::retry_config())
        .timeout_config(env_core::aws::timeout_config());
    if let Some(profile) = &global.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &global.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

/// A CloudWatch client for the global options ([`Global::cloudwatch_endpoint`]).
pub fn cloudwatch(config: &aws_config::SdkConfig, global: &Global) -> aws_sdk_cloudwatch::Client {
    let mut builder = aws_sdk_cloudwatch::config::Builder::from(config);
    if let Some(endpoint) = global.cloudwatch_endpoint() {
        builder = builder.endpoint_url(endpoint);
    }
    aws_sdk_cloudwatch::Client::from_conf(builder.build())
}

/// A runtime for one command: the CLI does one thing at a time, so one thread.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use clap::CommandFactory;

    pub(crate) fn run_cli(args: &[&str], stdin: &str) -> (ExitCode, String, String) {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let argv = std::iter::once("envctl").chain(args.iter().copied());
        let code = run(argv, stdin.as_bytes(), &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_goes_to_stdout_and_succeeds() {
        let (code, out, err) = run_cli(&["--help"], "");
        assert_eq!(code, ExitCode::SUCCESS);
        assert!(
            out.contains("Creates, inspects and destroys per-pull-request environments"),
            "{out}"
        );
        assert!(err.is_empty());
    }

    #[test]
    fn an_unknown_command_is_a_usage_error() {
        let (code, out, err) = run_cli(&["launch"], "");
        assert_eq!(code, ExitCode::from(2));
        assert!(out.is_empty());
        assert!(err.contains("unrecognized subcommand 'launch'"), "{err}");
    }

    #[test]
    fn the_global_options_default_to_us_west_2_and_the_sdk_chain() {
        let cli = Cli::try_parse_from(["envctl", "env", "list"]).unwrap();
        assert_eq!(cli.global.region, "us-west-2");
        assert_eq!(cli.global.profile, None);
        assert_eq!(cli.global.endpoint_url, None);
        let cli = Cli::try_parse_from([
            "envctl",
            "env",
            "list",
            "--profile",
            "ci",
            "--endpoint-url",
            "http://127.0.0.1:1",
            "--json",
        ])
        .unwrap();
        assert_eq!(cli.global.profile.as_deref(), Some("ci"));
        assert!(cli.global.json);
    }

    #[test]
    fn the_sdk_configuration_follows_the_options() {
        let global = Global {
            json: false,
            region: "us-west-2".into(),
            profile: Some("nobody".into()),
            endpoint_url: Some("http://127.0.0.1:1".into()),
            cloudwatch_endpoint_url: Some("http://127.0.0.1:2".into()),
        };
        let config = runtime().unwrap().block_on(sdk_config(&global));
        assert_eq!(config.region().unwrap().as_ref(), "us-west-2");
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:1"));
        // CloudWatch's own endpoint wins over the environment's (the audit's test runs it).
        assert_eq!(
            global.cloudwatch_endpoint().as_deref(),
            Some("http://127.0.0.1:2")
        );
    }
}
