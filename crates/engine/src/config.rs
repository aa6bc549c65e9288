//! One typed profile per webchat environment: where webchat is, where we listen, and the
//! switches for the spec's ambiguous places. Validated before it is used or stored.

use serde::{Deserialize, Serialize};
use wxsim_protocol::ContentEncoding;

/// How `createTime` goes on the wire (reading 4 of `interface.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CreateTimeFormat {
    /// `yyyy-MM-dd HH:mm:ss`, local time.
    #[default]
    Text,
    EpochMillis,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SkillGroupRef {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub name: String,
    /// Served by one of webchat's robots: where a transfer to a human is offered (reading
    /// `robot_session`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub robot: Option<bool>,
}

/// The two readings of `transferCon.do` (「从微信端发送机器人转接到人工客服」).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TransferReading {
    /// A chat with one of webchat's robot groups goes to a human group, in the same session.
    #[default]
    RobotSession,
    /// The hosting side's own robot hands its customer over: transferCon.do opens the request
    /// itself (no session yet, `sessionId` 0) with the robot's conversation in `transferInfo`.
    HandOver,
}

/// A step of the profile's rating scale, offered when `pushRating` arrives with an empty list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RatingStep {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Profile {
    pub name: String,
    /// webchat's base URL (`http://host:port/webchat`); `None` = the embedded simulator.
    pub webchat_url: Option<String>,
    /// `LIVEBOT_WANADDR`: our externally reachable base URL; `None` = the listener's own.
    pub wan_addr: Option<String>,
    /// The official account id (`epid`), also the `serviceAccountId` of media addresses.
    pub epid: String,
    /// The official account's name (`serviceAccount`).
    pub service_account: String,
    pub skill_groups: Vec<SkillGroupRef>,
    /// `pulse.do` while chatting; 0 turns it off.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pulse_interval_ms: u64,
    /// `getQueueLength.do` while queued; 0 turns it off.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub queue_poll_interval_ms: u64,
    /// Timeout of every call to webchat.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub request_timeout_ms: u64,
    pub content_encoding: ContentEncoding,
    pub create_time_format: CreateTimeFormat,
    pub rating_scale: Vec<RatingStep>,
    /// How `transferCon.do` is read; the spec's words fit both.
    pub transfer_reading: TransferReading,
    /// Refuse callbacks that break the interface (a non-1 answer naming the field) instead
    /// of accepting and flagging them.
    pub strict_contract: bool,
    /// When the listener is bound beyond loopback: source addresses allowed to call it
    /// (IPs or CIDRs; list 127.0.0.1 to keep local callers). Empty = anyone.
    pub allowed_sources: Vec<String>,
    /// When set, callers must send it in the `X-Wxsim-Secret` header.
    pub shared_secret: Option<String>,
    /// Largest callback body accepted.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub max_body_bytes: u64,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            name: "embedded".into(),
            webchat_url: None,
            wan_addr: None,
            epid: "wxsim-demo".into(),
            service_account: "wxsim demo account".into(),
            skill_groups: vec![
                SkillGroupRef {
                    id: 1,
                    name: "Sales".into(),
                    robot: None,
                },
                SkillGroupRef {
                    id: 2,
                    name: "Support".into(),
                    robot: None,
                },
                SkillGroupRef {
                    id: 9,
                    name: "Robot".into(),
                    robot: Some(true),
                },
            ],
            pulse_interval_ms: 15_000,
            queue_poll_interval_ms: 5_000,
            request_timeout_ms: 5_000,
            content_encoding: ContentEncoding::Object,
            create_time_format: CreateTimeFormat::Text,
            rating_scale: (1..=5)
                .map(|n| RatingStep {
                    id: n.to_string(),
                    name: "★".repeat(n),
                })
                .collect(),
            transfer_reading: TransferReading::default(),
            strict_contract: false,
            allowed_sources: vec![],
            shared_secret: None,
            max_body_bytes: 1024 * 1024,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("profile field `{field}`: {reason}")]
pub struct ProfileError {
    pub field: &'static str,
    pub reason: String,
}

fn check_url(field: &'static str, url: &str) -> Result<(), ProfileError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(ProfileError {
            field,
            reason: format!(
                "`{url}` is not an http(s) URL; write it like http://host:port/webchat"
            ),
        })
    }
}

impl Profile {
    pub fn validate(&self) -> Result<(), ProfileError> {
        if self.name.trim().is_empty() {
            return Err(ProfileError {
                field: "name",
                reason: "give the profile a name".into(),
            });
        }
        if let Some(url) = &self.webchat_url {
            check_url("webchatUrl", url)?;
        }
        if let Some(url) = &self.wan_addr {
            check_url("wanAddr", url)?;
        }
        if self.epid.is_empty()
            || self.epid.contains(['/', '\\', '?', '#'])
            || self.epid.contains("..")
        {
            return Err(ProfileError {
                field: "epid",
                reason:
                    "must be non-empty and free of / \\ ? # and ..; it is part of media addresses"
                        .into(),
            });
        }
        for source in &self.allowed_sources {
            if crate::access::SourceRule::parse(source).is_none() {
                return Err(ProfileError {
                    field: "allowedSources",
                    reason: format!("`{source}` is not an IP address or CIDR (like 10.0.0.0/8)"),
                });
            }
        }
        if self.shared_secret.as_deref().is_some_and(|s| s.len() < 8) {
            return Err(ProfileError {
                field: "sharedSecret",
                reason: "use at least 8 characters".into(),
            });
        }
        if self.request_timeout_ms == 0 {
            return Err(ProfileError {
                field: "requestTimeoutMs",
                reason: "must be above 0".into(),
            });
        }
        if self.max_body_bytes < 1024 {
            return Err(ProfileError {
                field: "maxBodyBytes",
                reason: "must be at least 1024".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_is_valid_and_bad_fields_are_named() {
        Profile::default().validate().unwrap();
        let p = Profile {
            webchat_url: Some("ftp://x".into()),
            ..Profile::default()
        };
        assert_eq!(p.validate().unwrap_err().field, "webchatUrl");
        let p = Profile {
            epid: "../x".into(),
            ..Profile::default()
        };
        assert_eq!(p.validate().unwrap_err().field, "epid");
    }
}
