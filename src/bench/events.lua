-- wrk script: one event per POST /v1/event, improved format, every id unique (none is a duplicate).
-- Each thread walks its users in groups: a launch for each, then a start, then a finish 1 to 59 minutes later.
-- wrk -t2 -c64 -d20s --latency -s events.lua URL -- [USERS=10000] [THREADS=2] [GROUP=250] [PATH=/v1/event]
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local users, nthreads, group, per, run
local n = 0
local DAY = 1614528000 -- 2021-02-28T16:00:00Z

function init(args)
  users = tonumber(args[1]) or 10000
  nthreads = tonumber(args[2]) or 2
  group = tonumber(args[3]) or 250
  per = math.floor(users / nthreads)
  if per % group ~= 0 then group = per end
  run = tostring(os.time()) .. "-" .. tostring(math.random(1000000))
  wrk.method = "POST"
  wrk.path = args[4] or "/v1/event"
  wrk.headers["Content-Type"] = "application/json"
end

local function iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end

function request()
  local round = math.floor(n / (3 * per))
  local m = n % (3 * per)
  local step = math.floor((m % (3 * group)) / group)
  local k = math.floor(m / (3 * group)) * group + (m % group)
  local id = tid + k * nthreads
  n = n + 1
  local user = string.format("user-%05d", id)
  local event = string.format("%s-%d-%d", run, tid, n)
  local day = DAY + round * 86400
  local program = "program-" .. round
  local body
  if step == 0 then
    body = string.format('{"id":"%s","type":"app_launch","userId":"%s","deviceId":"d%d","occurredAt":"%s"}',
      event, user, id, iso(day))
  elseif step == 1 then
    body = string.format('{"id":"%s","type":"training_program_started","userId":"%s","deviceId":"d%d","occurredAt":"%s","data":{"programId":"%s","programTitle":"7 Minutes of HIIT Training"}}',
      event, user, id, iso(day + 60), program)
  else
    body = string.format('{"id":"%s","type":"training_program_finished","userId":"%s","deviceId":"d%d","occurredAt":"%s","data":{"programId":"%s"}}',
      event, user, id, iso(day + 60 + (1 + id % 59) * 60), program)
  end
  return wrk.format(nil, nil, nil, body)
end
