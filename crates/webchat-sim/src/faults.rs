//! Outcomes a tester injects: a result code for the next calls of an endpoint, how the
//! next queued requests end, and routings that fail (`/ari/create` with a non-1 result).

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wxsim_protocol::{Endpoint, RequestStatus, ResultCode};

/// The next `count` calls to `endpoint` answer with `result` (any code, unknown ones too).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimFaultSpec"))]
pub struct FaultSpec {
    /// The endpoint's path, e.g. `"createcon.do"`.
    #[serde(
        serialize_with = "serialize_endpoint",
        deserialize_with = "deserialize_endpoint"
    )]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub endpoint: Endpoint,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub result: ResultCode,
    /// How many calls; `0` clears the fault.
    #[serde(default = "one")]
    pub count: u32,
    /// The answer's `message`; by default the code's name.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub message: Option<String>,
}

/// The next queued request (of `skill_group`, or of any group) ends with `status`:
/// `ACCEPTED`/`ENTERPRISE_WECHAT_ACCEPTED` proceed to a chat, `WAITING` keeps it queued
/// until it is cancelled, anything else ends it with that status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimNextRequestStatus"))]
pub struct NextRequestStatus {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub status: RequestStatus,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable, type = "number | null"))]
    pub skill_group: Option<i64>,
}

/// The next `count` requests an agent looks at (of `skill_group`, or of any group) end
/// with `/ari/create` carrying `result` and `message` instead of a session: a failed
/// routing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SimRoutingFailure"))]
pub struct RoutingFailure {
    #[serde(default = "routing_failed")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub result: ResultCode,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub message: Option<String>,
    #[serde(default, alias = "skill_group")]
    #[cfg_attr(feature = "ts", ts(optional = nullable, type = "number | null"))]
    pub skill_group: Option<i64>,
    /// How many requests; `0` clears the planned failures.
    #[serde(default = "one")]
    pub count: u32,
}

fn routing_failed() -> ResultCode {
    ResultCode::RequestAlreadyInRouting
}

impl RoutingFailure {
    /// The `message` of the failing `/ari/create`.
    pub fn message(&self) -> String {
        self.message
            .clone()
            .unwrap_or_else(|| format!("routing failed: {}", self.result.name()))
    }
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
    routings: VecDeque<RoutingFailure>,
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

    /// Plans failed routings; `count: 0` clears them all.
    pub fn plan_routing_failure(&mut self, failure: RoutingFailure) {
        if failure.count == 0 {
            self.routings.clear();
        } else {
            self.routings.push_back(failure);
        }
    }

    /// Uses up one planned routing failure for a request of `skill_group`, if one is armed.
    pub fn take_routing_failure(&mut self, skill_group: i64) -> Option<RoutingFailure> {
        let at = self
            .routings
            .iter()
            .position(|f| f.skill_group.is_none_or(|g| g == skill_group))?;
        let planned = &mut self.routings[at];
        planned.count -= 1;
        let taken = RoutingFailure {
            count: 1,
            ..planned.clone()
        };
        if planned.count == 0 {
            self.routings.remove(at);
        }
        Some(taken)
    }

    /// Forgets planned request statuses and routing failures (endpoint faults stay).
    pub fn clear_plans(&mut self) {
        self.statuses.clear();
        self.routings.clear();
    }

    pub fn planned_routing_failures(&self) -> Vec<RoutingFailure> {
        self.routings.iter().cloned().collect()
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
