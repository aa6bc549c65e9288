//! Outcomes a tester injects: a result code for the next calls of an endpoint, and how
//! the next queued requests end.

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wxsim_protocol::{Endpoint, RequestStatus, ResultCode};

/// The next `count` calls to `endpoint` answer with `result` (any code, unknown ones too).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultSpec {
    /// The endpoint's path, e.g. `"createcon.do"`.
    #[serde(
        serialize_with = "serialize_endpoint",
        deserialize_with = "deserialize_endpoint"
    )]
    pub endpoint: Endpoint,
    pub result: ResultCode,
    /// How many calls; `0` clears the fault.
    #[serde(default = "one")]
    pub count: u32,
    /// The answer's `message`; by default the code's name.
    #[serde(default)]
    pub message: Option<String>,
}

/// The next queued request (of `skill_group`, or of any group) ends with `status`:
/// `ACCEPTED`/`ENTERPRISE_WECHAT_ACCEPTED` proceed to a chat, `WAITING` keeps it queued
/// until it is cancelled, anything else ends it with that status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NextRequestStatus {
    pub status: RequestStatus,
    #[serde(default)]
    pub skill_group: Option<i64>,
}

fn one() -> u32 {
    1
}

fn serialize_endpoint<S: Serializer>(endpoint: &Endpoint, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(endpoint.path())
}

fn deserialize_endpoint<'de, D: Deserializer<'de>>(d: D) -> Result<Endpoint, D::Error> {
    let path = String::deserialize(d)?;
    Endpoint::from_path(&path).ok_or_else(|| {
        let known: Vec<&str> = Endpoint::ALL.iter().map(|e| e.path()).collect();
        serde::de::Error::custom(format!(
            "unknown endpoint `{path}`, expected one of {}",
            known.join(", ")
        ))
    })
}

#[derive(Clone, Debug, Default)]
pub struct Faults {
    endpoints: HashMap<Endpoint, FaultSpec>,
    statuses: VecDeque<NextRequestStatus>,
}

impl Faults {
    pub fn inject(&mut self, fault: FaultSpec) {
        if fault.count == 0 {
            self.endpoints.remove(&fault.endpoint);
        } else {
            self.endpoints.insert(fault.endpoint, fault);
        }
    }

    /// Uses up one call of the endpoint's fault, if it has one: the code and message to answer.
    pub fn take(&mut self, endpoint: Endpoint) -> Option<(ResultCode, String)> {
        let fault = self.endpoints.get_mut(&endpoint)?;
        fault.count -= 1;
        let answer = (
            fault.result,
            fault
                .message
                .clone()
                .unwrap_or_else(|| format!("{} (injected by the simulator)", fault.result.name())),
        );
        if fault.count == 0 {
            self.endpoints.remove(&endpoint);
        }
        Some(answer)
    }

    pub fn plan_status(&mut self, next: NextRequestStatus) {
        self.statuses.push_back(next);
    }

    /// How a request newly queued in `skill_group` will end.
    pub fn take_status(&mut self, skill_group: i64) -> RequestStatus {
        let at = self
            .statuses
            .iter()
            .position(|n| n.skill_group.is_none_or(|g| g == skill_group));
        at.and_then(|i| self.statuses.remove(i))
            .map_or(RequestStatus::Accepted, |n| n.status)
    }

    pub fn endpoint_faults(&self) -> Vec<FaultSpec> {
        let mut all: Vec<FaultSpec> = self.endpoints.values().cloned().collect();
        all.sort_by_key(|f| f.endpoint.path());
        all
    }

    pub fn planned_statuses(&self) -> Vec<NextRequestStatus> {
        self.statuses.iter().cloned().collect()
    }
}
