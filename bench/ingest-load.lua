-- Copied from ../shared/bench/ingest-load.lua (vayu bench kit, see ../shared/bench/README.md)
-- unchanged, so vayu and the Probot baseline are driven by the same request generator.
-- wrk script for ingest-load.sh: signed GitHub-webhook POSTs, one unique
-- X-GitHub-Delivery per request.
-- Arguments (after `--`): payload_path signature event nonce
--   signature: "sha256=<hex>" computed by the caller over the exact file bytes
--   nonce:     8 hex chars, unique per run, so delivery ids never repeat
--              across runs against the same (deduplicating) server
-- Delivery id: <nonce>-<thread:4 hex>-4000-8000-<counter:12 hex> (UUID-shaped)

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local body, headers, nonce
local counter = 0

function init(args)
  local f = assert(io.open(args[1], "rb"))
  body = f:read("*a")
  f:close()
  nonce = args[4]
  headers = {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "GitHub-Hookshot/ingest-load",
    ["X-GitHub-Event"] = args[3],
    ["X-Hub-Signature-256"] = args[2],
  }
end

function request()
  counter = counter + 1
  headers["X-GitHub-Delivery"] = nonce .. string.format("-%04x-4000-8000-%012x", tid, counter)
  return wrk.format("POST", wrk.path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local dur_s = summary.duration / 1e6
  io.write(string.format(
    "WRKRESULT requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f status_errors=%d connect=%d read=%d write=%d timeout=%d bytes_read=%d\n",
    summary.requests, dur_s, summary.requests / dur_s,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout, summary.bytes))
end
