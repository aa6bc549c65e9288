// Generated from crates/protocol/src/code.rs by crates/engine/tests/export_types.rs. Do not edit.

export interface CodeEntry {
  code: number;
  name: string;
  en: string;
  zh: string;
}

/** `result` of every answer (and `code` of getMedia's). */
export const RESULT_CODES: readonly CodeEntry[] = [
  {
    "code": 1,
    "en": "success",
    "name": "SUCCESS",
    "zh": "成功"
  },
  {
    "code": -1,
    "en": "request already in routing",
    "name": "REQUEST_ALREADY_IN_ROULTING",
    "zh": "请求已在排队中"
  },
  {
    "code": -2,
    "en": "already chatting",
    "name": "ALREADY_IN_CHATTING",
    "zh": "已在聊天中"
  },
  {
    "code": -3,
    "en": "not in working hours",
    "name": "NOT_IN_WORKTIME",
    "zh": "不在工作时间"
  },
  {
    "code": -4,
    "en": "invalid skill group",
    "name": "INVAILD_SKILLGROUP",
    "zh": "无效的技能组"
  },
  {
    "code": -5,
    "en": "no agent online",
    "name": "NO_AGENT_ONLINE",
    "zh": "无坐席在线"
  },
  {
    "code": -9,
    "en": "invalid recipient user id",
    "name": "INVAILD_TO_USER_ID",
    "zh": "无效的目标用户"
  },
  {
    "code": -10,
    "en": "no serving agent found",
    "name": "NO_SERVED_AGENT_FOUND",
    "zh": "未找到服务坐席"
  },
  {
    "code": -100,
    "en": "internal error",
    "name": "INTERNAL_ERROR",
    "zh": "内部错误"
  }
];

/** `requestStatus` of /ari/updateRequestStatus. */
export const REQUEST_STATUSES: readonly CodeEntry[] = [
  {
    "code": 0,
    "en": "waiting in queue",
    "name": "WAITING",
    "zh": "等待中"
  },
  {
    "code": 1,
    "en": "accepted by an agent",
    "name": "ACCEPTED",
    "zh": "坐席接受"
  },
  {
    "code": 2,
    "en": "refused by the agent",
    "name": "REFUSED",
    "zh": "坐席拒绝"
  },
  {
    "code": 3,
    "en": "queued too long",
    "name": "TIMEOUT",
    "zh": "排队超时"
  },
  {
    "code": 4,
    "en": "lost abnormally",
    "name": "DROPPED",
    "zh": "异常丢失"
  },
  {
    "code": 5,
    "en": "no agent online",
    "name": "NO_AGENT_ONLINE",
    "zh": "无坐席在线"
  },
  {
    "code": 6,
    "en": "outside working hours",
    "name": "OFF_HOUR",
    "zh": "不在工作时间"
  },
  {
    "code": 7,
    "en": "cancelled by the customer",
    "name": "CANCELED_BY_CLIENT",
    "zh": "被客户取消"
  },
  {
    "code": 11,
    "en": "accepted on enterprise WeChat",
    "name": "ENTERPRISE_WECHAT_ACCEPTED",
    "zh": "坐席企业号接收"
  }
];

/** The interface's operations: webchat's endpoints, then the callbacks. */
export const OPERATIONS: readonly string[] = [
  "createcon.do",
  "getmsg.do",
  "closecon.do",
  "ratesession.do",
  "transferCon.do",
  "cancelRequest.do",
  "getQueueLength.do",
  "pulse.do",
  "/ari/create",
  "/ari/msg",
  "/ari/close",
  "/ari/sessionAgentsUpdate",
  "/ari/pushRating",
  "/ari/updateRequestStatus",
  "/ari/getMedia"
];
