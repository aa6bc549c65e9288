// Generated from crates/protocol/src/code.rs by crates/engine/tests/export_types.rs. Do not edit.

import type { RequestSource } from "./RequestSource";

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
    "name": "SUCCESS",
    "en": "success",
    "zh": "成功"
  },
  {
    "code": -1,
    "name": "REQUEST_ALREADY_IN_ROULTING",
    "en": "request already in routing",
    "zh": "请求已在排队中"
  },
  {
    "code": -2,
    "name": "ALREADY_IN_CHATTING",
    "en": "already chatting",
    "zh": "已在聊天中"
  },
  {
    "code": -3,
    "name": "NOT_IN_WORKTIME",
    "en": "not in working hours",
    "zh": "不在工作时间"
  },
  {
    "code": -4,
    "name": "INVAILD_SKILLGROUP",
    "en": "invalid skill group",
    "zh": "无效的技能组"
  },
  {
    "code": -5,
    "name": "NO_AGENT_ONLINE",
    "en": "no agent online",
    "zh": "无坐席在线"
  },
  {
    "code": -9,
    "name": "INVAILD_TO_USER_ID",
    "en": "invalid recipient user id",
    "zh": "无效的目标用户"
  },
  {
    "code": -10,
    "name": "NO_SERVED_AGENT_FOUND",
    "en": "no serving agent found",
    "zh": "未找到服务坐席"
  },
  {
    "code": -100,
    "name": "INTERNAL_ERROR",
    "en": "internal error",
    "zh": "内部错误"
  }
];

/** `requestStatus` of /ari/updateRequestStatus. */
export const REQUEST_STATUSES: readonly CodeEntry[] = [
  {
    "code": 0,
    "name": "WAITING",
    "en": "waiting in queue",
    "zh": "等待中"
  },
  {
    "code": 1,
    "name": "ACCEPTED",
    "en": "accepted by an agent",
    "zh": "坐席接受"
  },
  {
    "code": 2,
    "name": "REFUSED",
    "en": "refused by the agent",
    "zh": "坐席拒绝"
  },
  {
    "code": 3,
    "name": "TIMEOUT",
    "en": "queued too long",
    "zh": "排队超时"
  },
  {
    "code": 4,
    "name": "DROPPED",
    "en": "lost abnormally",
    "zh": "异常丢失"
  },
  {
    "code": 5,
    "name": "NO_AGENT_ONLINE",
    "en": "no agent online",
    "zh": "无坐席在线"
  },
  {
    "code": 6,
    "name": "OFF_HOUR",
    "en": "outside working hours",
    "zh": "不在工作时间"
  },
  {
    "code": 7,
    "name": "CANCELED_BY_CLIENT",
    "en": "cancelled by the customer",
    "zh": "被客户取消"
  },
  {
    "code": 11,
    "name": "ENTERPRISE_WECHAT_ACCEPTED",
    "en": "accepted on enterprise WeChat",
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

/** `createcon.do`'s `from`: where a chat request comes from. */
export const REQUEST_SOURCES: readonly RequestSource[] = [
  "PC",
  "MOBILE",
  "WECHAT",
  "APP"
];

/** The contract checker's rules: a finding's `rule`, and what it checks. */
export const RULES: readonly { name: string; en: string; zh: string }[] = [
  {
    "name": "shape",
    "en": "each body is a JSON object",
    "zh": "每个报文体都是 JSON 对象"
  },
  {
    "name": "required",
    "en": "every field the interface requires is present",
    "zh": "接口要求的字段都存在"
  },
  {
    "name": "type",
    "en": "every field has its JSON type",
    "zh": "每个字段的 JSON 类型正确"
  },
  {
    "name": "code",
    "en": "result codes, request statuses, sources and message types are known ones",
    "zh": "结果码、请求状态、来源和消息类型都是接口定义的值"
  },
  {
    "name": "timestamp",
    "en": "timestamps are epoch milliseconds near now",
    "zh": "时间戳是接近当前时间的毫秒数"
  },
  {
    "name": "content",
    "en": "a message's content fits its msgType",
    "zh": "消息内容与其 msgType 相符"
  },
  {
    "name": "unknown_field",
    "en": "no field beyond the interface (info)",
    "zh": "没有接口之外的字段（提示）"
  },
  {
    "name": "unknown_session",
    "en": "a callback names a session an /ari/create opened",
    "zh": "回调所指的会话已由 /ari/create 建立"
  },
  {
    "name": "unknown_open_id",
    "en": "a callback names a customer of this hosting service",
    "zh": "回调所指的客户属于本托管服务"
  },
  {
    "name": "duplicate_create",
    "en": "one /ari/create per session",
    "zh": "每个会话只有一次 /ari/create"
  },
  {
    "name": "status_backwards",
    "en": "a request's status does not go back",
    "zh": "请求状态不会倒退"
  },
  {
    "name": "repeat",
    "en": "an agent message is delivered once (info)",
    "zh": "坐席消息只送达一次（提示）"
  }
];
