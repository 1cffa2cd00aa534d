//! `env up|down|status|outputs|list|extend|comment|sleep|wake`: environments in AWS, through the deployed state
//! machines and their tags; and `env audit`, which runs the audit (envctl-audit) on one of them.

mod admission;
pub mod api;
pub mod aws;
pub mod cli;
mod commands;
mod comment;
pub use commands::{start_next, stop_running_provisions};
mod expiry;
mod facts;
#[cfg(test)]
mod fake;
mod headroom;
pub mod pool;
pub mod request;
pub mod sleep;
mod sleep_command;
mod stage;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_extend_comment;
#[cfg(test)]
mod tests_pool;
