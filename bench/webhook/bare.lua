-- wrk script: the same kind of POST to the receiver's bare 200 route (--bench-routes /bench/ok):
-- no verification, no storage. The baseline for webhook.lua.
function init(args)
  local f = io.open(args[1] or "requests.tsv")
  local line = f:read("*l")
  f:close()
  local id, ts, sig, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
  req = wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-Fal-Webhook-Request-Id"] = id,
    ["X-Fal-Webhook-User-Id"] = "load-user",
    ["X-Fal-Webhook-Timestamp"] = ts,
    ["X-Fal-Webhook-Signature"] = sig,
  }, body)
end

function request()
  return req
end
