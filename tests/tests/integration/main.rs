//! The one integration-test binary: each module exercises a part of the backend against the moto
//! emulator and a real PostgreSQL, through the same binaries and contracts AWS would use.

mod audit;
mod behaviours;
mod cache;
mod cache_serverless;
mod cache_sleep;
mod cleanup;
mod cli;
mod cli_local;
mod database;
mod edge;
mod edge_wake;
mod emulator;
mod local_invoke;
mod monitoring;
mod network;
mod network_sleep;
mod outputs;
mod permissions;
mod pool;
mod pool_cli;
mod pr_comment;
mod rotation;
mod runtime_api;
mod service;
mod service_sleep;
mod sleep;
mod wake_request;
mod waker;
mod workflow;
