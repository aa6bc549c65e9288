//! The simulator over real loopback HTTP, against a recording hosting side.

mod faults;
mod flows;
mod rig;
