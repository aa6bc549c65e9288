//! The simulator over real loopback HTTP, against a recording hosting side.

mod delivery;
mod faults;
mod flows;
mod queueing;
mod rig;
