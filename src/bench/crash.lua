-- wrk load for src/bench/crash.py: src/bench/events.lua's walk, and every event the service answered 202 for
-- written down, so that after a kill -9 and a restart each can be sent again and must be answered "duplicate".
-- Extra argument: acked=<file prefix>; each thread writes <prefix>-<thread>.txt, one event id per line.

dofile(os.getenv("EVENTS_LUA") or "src/bench/events.lua")

local events_init = init
local out
function init(args)
  local rest = {}
  local prefix
  for _, arg in ipairs(args) do
    local value = arg:match("^acked=(.*)$")
    if value then prefix = value else table.insert(rest, arg) end
  end
  events_init(rest)
  out = assert(io.open(string.format("%s-%d.txt", assert(prefix, "acked=<prefix> is needed"), tid), "w"))
  out:setvbuf("line")
end

function response(status, headers, body)
  if status == 202 then
    local id = body:match('"id":"([^"]+)"')
    if id then out:write(id, "\n") end
  end
end
