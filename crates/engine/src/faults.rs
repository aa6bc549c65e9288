//! Fault injection on our own listener, per callback path: delay the answer, answer with a
//! chosen result code or HTTP status, or drop the connection — for the next N calls or a
//! share of calls — so a tester sees how a webchat deployment copes with a failing
//! hosting service.

use rand::Rng;
use serde::{Deserialize, Serialize};
use wxsim_protocol::CallbackKind;

use crate::engine::Engine;
use crate::error::{EngineError, Result};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FaultAction {
    /// Answer normally, after a pause.
    Delay {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        ms: u64,
    },
    /// Answer with this result (or `code` for getMedia) without applying the callback.
    Result {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        code: i64,
    },
    /// Answer with this HTTP status without applying the callback.
    Status { status: u16 },
    /// Close the connection mid-answer without applying the callback.
    Drop,
}

impl FaultAction {
    /// What it does, in a few words (English, for logs and stored lines).
    pub fn describe(&self) -> String {
        match self {
            FaultAction::Delay { ms } => format!("delayed {ms} ms"),
            FaultAction::Result { code } => format!("result {code}"),
            FaultAction::Status { status } => format!("HTTP {status}"),
            FaultAction::Drop => "connection dropped".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ListenerFault {
    /// A callback path (`/ari/msg`; `/ari/pushRating` covers the double-slash form) or `*`.
    pub path: String,
    pub action: FaultAction,
    /// Applies to this many calls, then disarms; `None` = until removed.
    #[serde(default)]
    pub remaining: Option<u32>,
    /// Applies to this share of matching calls (0–1); `None` = all.
    #[serde(default)]
    pub share: Option<f64>,
}

impl ListenerFault {
    fn validate(&self) -> Result<()> {
        if self.path != "*" && CallbackKind::from_path(&self.path).is_none() {
            return Err(EngineError::Invalid(format!(
                "fault path `{}` is not a callback path; use one of /ari/create, /ari/msg, /ari/close, /ari/sessionAgentsUpdate, /ari/pushRating, /ari/updateRequestStatus, /ari/getMedia or *",
                self.path
            )));
        }
        if let Some(share) = self.share {
            if !(0.0..=1.0).contains(&share) {
                return Err(EngineError::Invalid(format!(
                    "fault share {share} must be between 0 and 1"
                )));
            }
        }
        if let FaultAction::Status { status } = self.action {
            if !(100..=599).contains(&status) {
                return Err(EngineError::Invalid(format!(
                    "HTTP status {status} is not between 100 and 599"
                )));
            }
        }
        if let FaultAction::Delay { ms } = self.action {
            if ms > 120_000 {
                return Err(EngineError::Invalid(
                    "a delay above 120000 ms would outlive any caller; pick less".into(),
                ));
            }
        }
        Ok(())
    }
}

impl Engine {
    pub fn listener_faults(&self) -> Vec<ListenerFault> {
        self.inner.faults.lock().expect("faults lock").clone()
    }

    /// Replaces the armed faults.
    pub fn set_listener_faults(&self, faults: Vec<ListenerFault>) -> Result<Vec<ListenerFault>> {
        for f in &faults {
            f.validate()?;
        }
        *self.inner.faults.lock().expect("faults lock") = faults.clone();
        Ok(faults)
    }

    /// The fault to apply to this call, if one matches (and counts it).
    pub(crate) fn take_fault(&self, kind: CallbackKind) -> Option<FaultAction> {
        let mut faults = self.inner.faults.lock().expect("faults lock");
        let index = faults.iter().position(|f| {
            let matches = f.path == "*" || CallbackKind::from_path(&f.path) == Some(kind);
            matches
                && f.share
                    .is_none_or(|share| rand::thread_rng().gen_bool(share))
        })?;
        let action = faults[index].action.clone();
        if let Some(left) = faults[index].remaining.as_mut() {
            *left = left.saturating_sub(1);
            if *left == 0 {
                faults.remove(index);
            }
        }
        Some(action)
    }
}
