-- wrk script: POSTs pre-signed fal webhooks (bench/webhook/webhook_load_prep output), each request id
-- once. Thread i of n takes lines i, i+n, i+2n, ... so threads never send the same webhook; when a
-- thread runs out it starts over (those are duplicates, counted and reported).
--   wrk -t2 -c32 -d10s --latency -s webhook.lua http://127.0.0.1:PORT/webhook/fal/status -- requests.tsv 2
-- (the last argument must equal -t: wrk runs init() before the next thread exists)

-- signed_webhook.lua sits beside this script.
local signed_webhook = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "signed_webhook.lua")

local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file = args[1] or "requests.tsv"
  local nthreads = tonumber(args[2] or "1")
  requests = {}
  local n = 0
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == index then
      n = n + 1
      requests[n] = signed_webhook(line)
    end
    i = i + 1
  end
  count = n
  next_request = 1
  wrapped = 0
  non200 = 0
end

function request()
  local r = requests[next_request]
  next_request = next_request + 1
  if next_request > count then
    next_request = 1
    wrapped = wrapped + 1
  end
  return r
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local wraps, bad = 0, 0
  for _, t in ipairs(threads) do
    wraps = wraps + t:get("wrapped")
    bad = bad + t:get("non200")
  end
  io.write(string.format("webhook.lua: %d non-200 responses, %d wrap-arounds (duplicates sent)\n", bad, wraps))
end
