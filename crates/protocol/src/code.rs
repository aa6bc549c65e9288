//! The spec's two code tables. Unknown codes are kept with their number and shown as
//! such, never treated as an error of the product.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Language of a label shown to a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

macro_rules! code_enum {
    (
        $(#[$doc:meta])* $name:ident {
            $($variant:ident = $num:literal, $wire:literal, $en:literal, $zh:literal;)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
            Unknown(i64),
        }

        impl $name {
            /// Every known code, in table order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant,)*];

            pub fn code(self) -> i64 {
                match self {
                    $($name::$variant => $num,)*
                    $name::Unknown(n) => n,
                }
            }

            /// The constant's name in the original (`UNKNOWN` for codes outside the table).
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown(_) => "UNKNOWN",
                }
            }

            pub fn label(self, lang: Lang) -> String {
                match (self, lang) {
                    $(($name::$variant, Lang::En) => $en.to_owned(),)*
                    $(($name::$variant, Lang::Zh) => $zh.to_owned(),)*
                    ($name::Unknown(n), Lang::En) => format!("unknown code {n}"),
                    ($name::Unknown(n), Lang::Zh) => format!("未知代码 {n}"),
                }
            }

            pub fn is_known(self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl From<i64> for $name {
            fn from(n: i64) -> Self {
                match n {
                    $($num => $name::$variant,)*
                    other => $name::Unknown(other),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                crate::lenient::int(d).map($name::from)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{} ({})", self.code(), self.name())
            }
        }
    };
}

code_enum! {
    /// `result` of every answer (and `code` of `getMedia`'s).
    ResultCode {
        Success = 1, "SUCCESS", "success", "成功";
        RequestAlreadyInRouting = -1, "REQUEST_ALREADY_IN_ROULTING", "request already in routing", "请求已在排队中";
        AlreadyInChatting = -2, "ALREADY_IN_CHATTING", "already chatting", "已在聊天中";
        NotInWorktime = -3, "NOT_IN_WORKTIME", "not in working hours", "不在工作时间";
        InvalidSkillgroup = -4, "INVAILD_SKILLGROUP", "invalid skill group", "无效的技能组";
        NoAgentOnline = -5, "NO_AGENT_ONLINE", "no agent online", "无坐席在线";
        InvalidToUserId = -9, "INVAILD_TO_USER_ID", "invalid recipient user id", "无效的目标用户";
        NoServedAgentFound = -10, "NO_SERVED_AGENT_FOUND", "no serving agent found", "未找到服务坐席";
        InternalError = -100, "INTERNAL_ERROR", "internal error", "内部错误";
    }
}

code_enum! {
    /// `requestStatus` of `/ari/updateRequestStatus`.
    RequestStatus {
        Waiting = 0, "WAITING", "waiting in queue", "等待中";
        Accepted = 1, "ACCEPTED", "accepted by an agent", "坐席接受";
        Refused = 2, "REFUSED", "refused by the agent", "坐席拒绝";
        Timeout = 3, "TIMEOUT", "queued too long", "排队超时";
        Dropped = 4, "DROPPED", "lost abnormally", "异常丢失";
        NoAgentOnline = 5, "NO_AGENT_ONLINE", "no agent online", "无坐席在线";
        OffHour = 6, "OFF_HOUR", "outside working hours", "不在工作时间";
        CanceledByClient = 7, "CANCELED_BY_CLIENT", "cancelled by the customer", "被客户取消";
        EnterpriseWechatAccepted = 11, "ENTERPRISE_WECHAT_ACCEPTED", "accepted on enterprise WeChat", "坐席企业号接收";
    }
}

impl ResultCode {
    pub fn is_success(self) -> bool {
        self == ResultCode::Success
    }
}

impl RequestStatus {
    /// The request ended without a chat: nothing more will happen to it.
    pub fn is_final_failure(self) -> bool {
        matches!(
            self,
            RequestStatus::Refused
                | RequestStatus::Timeout
                | RequestStatus::Dropped
                | RequestStatus::NoAgentOnline
                | RequestStatus::OffHour
                | RequestStatus::CanceledByClient
        )
    }

    pub fn is_accepted(self) -> bool {
        matches!(
            self,
            RequestStatus::Accepted | RequestStatus::EnterpriseWechatAccepted
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_tables_round_trips() {
        for c in ResultCode::KNOWN {
            assert_eq!(ResultCode::from(c.code()), *c);
        }
        assert_eq!(ResultCode::from(-1).name(), "REQUEST_ALREADY_IN_ROULTING");
        assert_eq!(
            RequestStatus::from(11),
            RequestStatus::EnterpriseWechatAccepted
        );
        assert_eq!(RequestStatus::KNOWN.len(), 9);
        assert_eq!(ResultCode::KNOWN.len(), 9);
    }

    #[test]
    fn unknown_codes_keep_their_number() {
        let c: ResultCode = serde_json::from_str("-42").unwrap();
        assert_eq!(c, ResultCode::Unknown(-42));
        assert_eq!(serde_json::to_string(&c).unwrap(), "-42");
        assert_eq!(c.label(Lang::En), "unknown code -42");
        assert_eq!(c.label(Lang::Zh), "未知代码 -42");
    }

    #[test]
    fn codes_accept_numeric_strings() {
        let s: RequestStatus = serde_json::from_str("\"7\"").unwrap();
        assert_eq!(s, RequestStatus::CanceledByClient);
        assert_eq!(s.label(Lang::Zh), "被客户取消");
        assert!(serde_json::from_str::<ResultCode>("\"ok\"").is_err());
    }
}
