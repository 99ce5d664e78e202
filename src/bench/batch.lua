-- wrk script: POST /v1/events, batches of N improved-format events (a launch, a start and a finish for each of
-- N/3 users), every id unique. wrk ... -s batch.lua URL -- [N=99]
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local size, run
local n = 0
local DAY = 1614528000

function init(args)
  size = tonumber(args[1]) or 99
  run = tostring(os.time()) .. "-" .. tostring(math.random(1000000))
  wrk.method = "POST"
  wrk.path = "/v1/events"
  wrk.headers["Content-Type"] = "application/json"
end

local function iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end

function request()
  n = n + 1
  local events = {}
  local day = DAY + n * 86400
  for u = 1, math.floor(size / 3) do
    local user = string.format("b%d-%d-%d", tid, n % 50, u)
    local prefix = string.format("%s-%d-%d-%d", run, tid, n, u)
    events[#events + 1] = string.format('{"id":"%s-l","type":"app_launch","userId":"%s","deviceId":"d","occurredAt":"%s"}', prefix, user, iso(day))
    events[#events + 1] = string.format('{"id":"%s-s","type":"training_program_started","userId":"%s","deviceId":"d","occurredAt":"%s","data":{"programId":"p"}}', prefix, user, iso(day + 60))
    events[#events + 1] = string.format('{"id":"%s-f","type":"training_program_finished","userId":"%s","deviceId":"d","occurredAt":"%s","data":{"programId":"p"}}', prefix, user, iso(day + 60 + (1 + u % 59) * 60))
  end
  return wrk.format(nil, nil, nil, "[" .. table.concat(events, ",") .. "]")
end
