//! `local up|down|status|demo|sleep|wake|request`: the same workflows run on this machine by the
//! local runner (tools/workflow/run.mjs) against an AWS emulator, so the whole lifecycle needs no
//! AWS account.
//!
//! moto keeps its state only while it runs, so `local up` without `--endpoint-url` leaves the moto it
//! starts running and records it in `.local/emulator.json`; `local status` and `local down` use that
//! one, and `local down` stops it once the environment is gone. `local demo` does up, status and down
//! against a moto of its own that ends with the command.

mod cleanup;
pub mod command;
mod deployed;
mod emulator;
mod outcome;
mod package;
mod pool;
mod request;
mod rotation_report;
mod runner;
mod sleep;
mod workflows;

#[cfg(test)]
mod test_server;
