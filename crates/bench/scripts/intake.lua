-- wrk script for /ari/msg: every body is unique (its own msgTime and text), spread over
-- the sessions bench-0 … bench-(SESSIONS-1). DELAY_MS > 0 paces each connection (fixed
-- rate = connections × 1000 / DELAY_MS). Prints one line: RESULT rps p50_ms p99_ms errors.
local sessions = tonumber(os.getenv("SESSIONS") or "100")
local pause = tonumber(os.getenv("DELAY_MS") or "0")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local n = tid * 100000000 + counter
  local body = string.format(
    '{"sessionId":"bench-%d","agentId":"agent-1","msgTime":%d,"content":"<p>reply %d: your parcel ships today</p>"}',
    n % sessions, n, n)
  return wrk.format("POST", "/ari/msg", { ["Content-Type"] = "application/json" }, body)
end

if pause > 0 then
  function delay()
    return pause
  end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.3f %.3f %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
