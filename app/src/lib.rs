#![recursion_limit = "512"]
//! Samtykke's user interface, server functions and the types they share.
//!
//! Compiled twice: with `ssr` into the server (rendering, server functions) and with `hydrate`
//! into the browser's WebAssembly. Domain rules live in [`domain`] and [`forms`], plain code
//! that both sides run.

pub mod api;
pub mod domain;
pub mod error;
pub mod forms;
pub mod i18n;
#[cfg(feature = "ssr")]
pub mod mail;
pub mod model;
#[cfg(feature = "ssr")]
pub mod ports;
#[cfg(feature = "ssr")]
pub mod session;
mod ui;

pub use ui::{shell, App};
