//! wxsim-engine: the hosting-service side of the webchat interface.
//!
//! Simulated WeChat customers (a state machine per `openId`), the webchat client for the
//! eight `*.do` endpoints, the listener for the seven `/ari/*` callbacks and `/wechat/`
//! media, SQLite history, and a typed event stream. [`Engine`] is the one API that the
//! desktop shell, the HTTP API of `wxsim serve` and the scenario runner all call.

pub mod access;
mod callbacks;
pub mod client;
mod commands;
pub mod config;
pub mod contract;
pub mod diagram;
mod engine;
pub mod error;
pub mod events;
pub mod export;
pub mod faults;
mod listener;
pub mod media;
pub mod model;
pub mod observe;
pub mod pictures;
pub mod sanitize;
pub mod scenario_file;
pub mod store;
pub mod system_line;
mod timers;

pub use config::{CreateTimeFormat, Profile, RatingStep, SkillGroupRef, TransferReading};
pub use engine::{Engine, EngineOptions};
pub use error::EngineError;
pub use events::{EngineEvent, EventBatch, EventWatch, Typist};
pub use model::*;
pub use observe::{Answered, ObserveOptions, Observer, Pending, Recording, Seen};
pub use system_line::{Ask, SystemLine};
pub use wxsim_protocol as protocol;
