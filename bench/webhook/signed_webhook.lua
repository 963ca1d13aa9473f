-- Shared by the wrk scripts here: one line of webhook_load_prep's requests.tsv (request id,
-- timestamp, signature, body; tab-separated) as the POST fal would send, with its signature headers.
--   local signed_webhook = dofile(dir .. "signed_webhook.lua")   -- then signed_webhook(line)
return function(line)
  local id, ts, sig, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-Fal-Webhook-Request-Id"] = id,
    ["X-Fal-Webhook-User-Id"] = "load-user",
    ["X-Fal-Webhook-Timestamp"] = ts,
    ["X-Fal-Webhook-Signature"] = sig,
  }, body)
end
