-- wrk script: the same kind of POST to the receiver's bare 200 route (--bench-routes /bench/ok):
-- no verification, no storage. The baseline for webhook.lua.
-- signed_webhook.lua sits beside this script.
local signed_webhook = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "signed_webhook.lua")

function init(args)
  local f = io.open(args[1] or "requests.tsv")
  local line = f:read("*l")
  f:close()
  req = signed_webhook(line)
end

function request()
  return req
end
