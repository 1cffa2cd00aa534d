//! `envctl`: deploys the environment backend and drives environments, in AWS or locally.
//!
//! The binary is a thin shim over [`run_with`], which takes its arguments and streams as parameters
//! so that every command is tested in-process.

mod asl;
pub mod audit;
mod audit_command;
mod cli;
mod cost;
mod deploy;
mod envs;
mod local;
mod policies;
mod progress;
mod reach;
mod spec_commands;
mod tagged;

pub use cli::{run, run_with};
