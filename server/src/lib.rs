#![recursion_limit = "512"]
//! The Samtykke server: persistence, staff authentication, the HTTP stack and the CLI's work.

pub mod access_log;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod config;
pub mod customer_auth;
pub mod db;
pub mod export;
pub mod mail;
pub mod mfa;
pub mod origin;
pub mod pdf;
pub mod retention;
pub mod secrets;
pub mod seed;
pub mod web;
