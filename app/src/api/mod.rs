//! The server functions: the app's public API. Each is thin: check the session, tenant and
//! right ([`crate::session`]), parse the input ([`crate::forms`]), call the repository.
//! Paths are fixed (`/api/<endpoint>`) so scripts and tests can call them.

mod access_control;
mod access_log;
mod anonymise;
mod auth;
mod consent;
mod customers;
mod invoices;
mod min_side;
mod secrets;
mod settings;

pub use access_control::*;
pub use access_log::*;
pub use anonymise::*;
pub use auth::*;
pub use consent::*;
pub use customers::*;
pub use invoices::*;
pub use min_side::*;
pub use secrets::*;
pub use settings::*;
