-- wrk script for bench/create_vs_healthz.sh.
--
--   wrk -tT ... http://127.0.0.1:PORT/v1/rooms/general/check-in -s checkin.lua -- KEYS_FILE T
--     POSTs a durable check-in per request. KEYS_FILE holds one agent API key per line;
--     requests take the keys in turn (each of the T wrk threads starts at its own
--     share of the keys), so all N agents create check-ins concurrently over the
--     keep-alive connections.
--   wrk ... http://127.0.0.1:PORT/healthz -s checkin.lua
--     (no key file) plain GETs of the URL: the baseline, measured and reported the
--     same way.
--
-- At the end it prints one line "WRK_JSON {...}": requests, duration, socket errors,
-- non-2xx/3xx responses and latency percentiles (microseconds).

local body = '{"action":"deploy v2.3.1 to production","risk_level":"high",'
  .. '"metadata":{"version":"2.3.1"}}'

local threads = {}
local prepared = {}
local next_index = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  local keys_file = args[1]
  if keys_file == nil then
    return
  end
  local f = assert(io.open(keys_file, "r"))
  for key in f:lines() do
    if key ~= "" then
      prepared[#prepared + 1] = wrk.format("POST", nil, {
        ["Authorization"] = "Bearer " .. key,
        ["Content-Type"] = "application/json",
      }, body)
    end
  end
  f:close()
  assert(#prepared > 0, "no API keys in " .. keys_file)
  -- Spread the threads over the keys.
  local thread_count = tonumber(args[2]) or 1
  next_index = math.floor((thread_number - 1) * #prepared / thread_count)
end

function request()
  if #prepared == 0 then
    return wrk.request()
  end
  next_index = next_index + 1
  return prepared[(next_index % #prepared) + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d,'
      .. '"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
