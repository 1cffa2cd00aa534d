//! Command-line parsing and the error report every command shares.

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Creates, inspects and destroys per-pull-request environments of the catalog API.
#[derive(Debug, Parser)]
#[command(name = "envctl", version)]
struct Cli {
    /// Print results as JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with environment specs without touching AWS.
    #[command(subcommand)]
    Spec(SpecCommand),
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

/// Runs one command line. Results go to `out`; errors, with their chain of causes, to `err`.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    stdin: impl Read,
    out: &mut impl Write,
    err: &mut impl Write,
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
    let result = match cli.command {
        Command::Spec(SpecCommand::Check { file }) => {
            crate::spec_commands::check(&file, stdin, cli.json, out)
        }
        Command::Spec(SpecCommand::Cost { file }) => {
            crate::spec_commands::cost(&file, stdin, cli.json, out)
        }
        Command::Spec(SpecCommand::Names { suffix }) => {
            crate::spec_commands::names(&suffix, cli.json, out)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(err, "error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

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
}
