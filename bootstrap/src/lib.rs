//! `envctl`: deploys the environment backend and drives environments, in AWS or locally.
//!
//! The binary is a thin shim over [`run`], which takes its arguments and streams as parameters so
//! that every command is tested in-process.

pub mod audit;
mod audit_command;
mod cli;
mod cost;
mod spec_commands;

pub use cli::run;
