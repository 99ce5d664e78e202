-- wrk load: the fitness app's users, each launching the app, starting a program a minute later and finishing
-- it 1 to 59 minutes after that, once per (simulated) day, in the improved event format.
--
--   wrk -t2 -c64 -d20s -s src/bench/events.lua URL -- path=/v1/event threads=2 [batch=N] [users=N] [label=X]
--
-- path     /v1/event (the service), /json or /bus (the bare server): one event per request; /v1/events with batch
-- batch    when given, each request is a JSON array of that many events
-- threads  wrk's -t, which a thread cannot see, to split the users between the threads (default 2)
-- users    users in the walk (default 10000)
-- label    prefix of the user ids (default "u"): the runner gives the warm-up and the measured run different
--          users, because each run starts again at the first day and a user's events must never go back in time
--          (late events are another workload: a late launch, for one, sends its reminder at once)
-- start    where each thread's walk begins, one count per thread separated by "/" (default 0/0): the soak runs wrk
--          a minute at a time, for a p99 per minute, and each minute goes on where the previous one stopped (done()
--          prints the counts reached as "next")
--
-- Every event id is unique (nothing is a duplicate). One event per request, each thread walks its users in groups
-- of 250: the group's launches, then its starts, then its finishes, so a user's events are interleaved with others'
-- as in live traffic, yet far enough apart (250 requests) that the thread's concurrent connections cannot reorder
-- them. A batch holds whole users instead (launch, start, finish, next user), as an app's or a collector's upload
-- would: spread over batches in flight at once, a user's events could arrive out of order. When every user of the
-- thread has had a day, the next day begins. Days start on 2000-01-01: 9,000 days (270 million events with 10,000
-- users, 45 minutes at 100k events/s) before they would reach today and be clamped as "in the future".
--
-- done() prints one line "bench-result {json}" for the runner (latencies in microseconds, wrk's own figures).

local next_tid = 0
local threads = {}
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

local BASE = 946684800 -- 2000-01-01T00:00:00Z
local TITLE = "7 Minutes of HIIT Training"
local GROUP = 250
local THREADS, PER_THREAD, BATCH, LABEL, RUN
n = 0 -- global, not local: done() reads where each thread got to (thread:get sees globals only)

function init(args)
  local opt = {}
  for _, arg in ipairs(args) do
    local key, value = arg:match("^(%w+)=(.*)$")
    if not key then error("expected key=value, got " .. arg) end
    opt[key] = value
  end
  wrk.method = "POST"
  wrk.path = opt.path or "/v1/event"
  wrk.headers["Content-Type"] = "application/json"
  BATCH = tonumber(opt.batch)
  THREADS = tonumber(opt.threads) or 2
  PER_THREAD = math.floor((tonumber(opt.users) or 10000) / THREADS)
  if BATCH then GROUP = 1 end
  if PER_THREAD % GROUP ~= 0 then GROUP = PER_THREAD end
  LABEL = opt.label or "u"
  RUN = LABEL .. os.time()
  if opt.start then
    local i = 0
    for count in opt.start:gmatch("[^/]+") do
      if i == tid then n = assert(tonumber(count), "start: not a count: " .. count) end
      i = i + 1
    end
  end
end

local function iso(t)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", t)
end

-- The thread's n-th event of the walk.
local function event()
  local day = math.floor(n / (3 * PER_THREAD))
  local m = n % (3 * PER_THREAD)
  local w = m % (3 * GROUP)
  local phase = math.floor(w / GROUP)
  local user = tid + (math.floor(m / (3 * GROUP)) * GROUP + w % GROUP) * THREADS
  n = n + 1
  local id = string.format("%s-%d-%d", RUN, tid, n)
  local who = string.format('"userId":"%s-%05d","deviceId":"dev-%d"', LABEL, user, user)
  local launch = BASE + day * 86400 + 16 * 3600
  if phase == 0 then
    return string.format('{"id":"%s","type":"app_launch",%s,"occurredAt":"%s"}', id, who, iso(launch))
  elseif phase == 1 then
    return string.format('{"id":"%s","type":"training_program_started",%s,"occurredAt":"%s",'
      .. '"data":{"programId":"prog-%d","programTitle":"%s"}}', id, who, iso(launch + 60), day, TITLE)
  else
    local minutes = 1 + user % 59 -- about half the users train over 30 minutes and are congratulated
    return string.format('{"id":"%s","type":"training_program_finished",%s,"occurredAt":"%s",'
      .. '"data":{"programId":"prog-%d"}}', id, who, iso(launch + 60 + minutes * 60), day)
  end
end

function request()
  local body
  if BATCH then
    local events = {}
    for i = 1, BATCH do events[i] = event() end
    body = "[" .. table.concat(events, ",") .. "]"
  else
    body = event()
  end
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('bench-result {"requests":%d,"duration_us":%d,"non2xx":%d,'
    .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
    .. '"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
  local next = {}
  for i, thread in ipairs(threads) do next[i] = tostring(thread:get("n")) end
  io.write(string.format('bench-next %s\n', table.concat(next, "/")))
end
