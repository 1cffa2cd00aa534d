//! `envctl`: deploys the environment backend and drives environments, in AWS or locally.
//!
//! The binary is a thin shim over [`run_with`], which takes its arguments and streams as parameters
//! so that every command is tested in-process.

mod cli;
mod reach;
mod spec_commands;

pub use cli::{run, run_with};
