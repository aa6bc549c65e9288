//! A faithful webchat server (the customer-service side of `shared/spec/interface.md`), so
//! the hosting-service side can run with no backend.
//!
//! It queues chat requests per skill group (first in, first served, as agents' seats free),
//! lets scripted agents (human or robot, online or not, each with a capacity) accept or
//! refuse them and answer, keeps working hours and queue timeouts on a clock the tester
//! can set, calls the hosting side's `/ari/*` callbacks in order per customer,
//! fetches media through `/ari/getMedia`, and answers every result and request-status code
//! on demand. Start one with [`spawn`]; drive it with [`SimControl`] or over HTTP under
//! `/sim`. A person can take an agent's seat at the agent desk ([`Desk`]).

mod agent;
mod assets;
mod bodies;
mod callbacks;
mod clock;
mod config;
mod control;
mod desk;
mod emoji;
mod endpoints;
mod error;
mod faults;
mod html;
mod media;
mod queue;
mod server;
mod session;
mod sim;
mod state;
mod uploads;
mod wire;

pub use callbacks::{CallbackOutcome, DeliveryPolicy};
pub use clock::{ClockPatch, ClockView};
pub use config::{
    AgentConfig, AgentPatch, ConfigPatch, GroupPatch, SimConfig, SimSettings, SkillGroup,
    WorkingHours,
};
pub use control::SimControl;
pub use desk::{Desk, DeskContent, DeskGroup, DeskPlace, DeskSession, DeskView, SEAT_LEASE};
pub use emoji::EmojiView;
pub use error::SimError;
pub use faults::{FaultSpec, NextRequestStatus, RoutingFailure};
pub use html::Language;
pub use media::MediaRecord;
pub use queue::{QueuedRequest, RequestOrigin};
pub use server::{spawn, SimHandle};
pub use session::{
    AgentMessage, CustomerCard, Rating, ReceivedMessage, Session, SessionState,
    DEFAULT_SERVICE_ACCOUNT,
};
pub use state::{AgentView, GroupView, PlaceView, StateSnapshot};
pub use uploads::{PictureView, MAX_PICTURE_BYTES};
