-- common.lua: the helpers of every script (see embed.awk).  ARGV[1] is the
-- key prefix; every key is <prefix>:<name>.  Times are ms since the epoch
-- from the Redis server clock (TIME), so every host agrees on leases.
--
-- Blocks are separated by blank lines.  embed.awk puts in front of each
-- script only the blocks whose names it uses (directly or through another
-- block): this prelude runs on every call, and defining every helper and
-- key name each time cost more server time than a small script's own work.
-- A block must only use names of blocks above it.
local P = ARGV[1] .. ':'

local K_WAIT = P .. 'waiting'

local K_ACT = P .. 'active'

local K_DEL = P .. 'delayed'

local K_DONE = P .. 'completed'

local K_FAIL = P .. 'failed'

local K_CANC = P .. 'cancelled'

local K_PEND = P .. 'pending'

local K_ACTU = P .. 'activeu'

local K_WAKE = P .. 'wake'

local K_FILES = P .. 'files'

local K_METR = P .. 'metrics'

local K_SEQ = P .. 'seq'

local K_PAUSED = P .. 'paused'

local K_WORKERS = P .. 'workers'

local PRIO_SHIFT = 1099511627776 -- 2^40: score = prio * 2^40 + seq

local STATE_KEY = { waiting = K_WAIT, active = K_ACT, delayed = K_DEL,
  completed = K_DONE, failed = K_FAIL, cancelled = K_CANC }

-- Numbers given to redis.call are formatted by Redis with "%.17g" (slow,
-- and a float path); hot scripts pass integers as strings made by int().
local function int(n) return string.format('%d', n) end

-- Now in ms, as a number and as the same integer in text (built from
-- TIME's two strings, no number formatting).
local function now_ms()
  local t = redis.call('TIME')
  local u = t[2]
  local s = t[1] .. string.sub(string.rep('0', 6 - #u) .. u, 1, 3)
  return tonumber(s), s
end

local function jk(id) return P .. 'job:' .. id end

local function uk(owner) return P .. 'user:' .. owner end

local function num(v) return tonumber(v) or 0 end

-- Decrement a per-owner counter, dropping the field at zero: one write
-- (HDEL or HINCRBY) after a read, never two writes.
local function hdec(key, owner)
  if num(redis.call('HGET', key, owner)) <= 1 then redis.call('HDEL', key, owner)
  else redis.call('HINCRBY', key, owner, '-1') end
end

-- Wake blocked claimers: up to n tokens, the list bounded to WAKE_MAX.
-- A full list is left alone (one read, no write): a token already waits
-- for every claimer that could take one.
local WAKE_MAX = 1000
local function wake(n)
  if n <= 0 then return end
  local len = redis.call('LLEN', K_WAKE)
  if n > WAKE_MAX - len then n = WAKE_MAX - len end
  if n <= 0 then return end
  if n == 1 then redis.call('LPUSH', K_WAKE, '1') return end
  local t = {}
  for i = 1, n do t[i] = '1' end
  redis.call('LPUSH', K_WAKE, unpack(t))
end

-- The hourly window P:rate:<owner>: a zset of submission times.  Counting
-- is exact (ZCOUNT over the last 3600 s); entries older than that are
-- pruned, and the key's expiry pushed to 2 h, only when its TTL has
-- fallen under 1 h, so a busy owner's add does not write the key's
-- expiry (or prune it) each time.  The key outlives its newest entry by
-- at least 1 h and holds at most 2 h of entries.
-- rate_check returns the key's TTL and, when the window is full, the
-- seconds until its oldest entry leaves it.
local HOUR = 3600000
local function rate_check(rk, now, limit)
  local ttl = redis.call('PTTL', rk)
  if ttl == -2 and limit > 0 then return ttl, nil end -- no key: an empty window
  local cut = '(' .. int(now - HOUR)
  if redis.call('ZCOUNT', rk, cut, '+inf') < limit then return ttl, nil end
  local oldest = redis.call('ZRANGEBYSCORE', rk, cut, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  local s = 3600 -- a limit of 0: a full hour
  if oldest[2] then s = math.ceil((tonumber(oldest[2]) + HOUR - now) / 1000) end
  if s < 1 then s = 1 end
  return ttl, s
end
local function rate_add(rk, now, now_s, ttl, member)
  redis.call('ZADD', rk, now_s, member)
  if ttl < HOUR then
    if ttl ~= -2 then redis.call('ZREMRANGEBYSCORE', rk, '-inf', int(now - HOUR)) end
    redis.call('PEXPIRE', rk, '7200000')
  end
end

local function wait_score(prio, seq) return int(num(prio) * PRIO_SHIFT + num(seq)) end

-- 1-based position of a waiting or delayed job (0 otherwise).
local function position(id, state)
  if state == 'waiting' then
    local r = redis.call('ZRANK', K_WAIT, id)
    if r then return r + 1 end
  elseif state == 'delayed' then
    local r = redis.call('ZRANK', K_DEL, id)
    if r then return redis.call('ZCARD', K_WAIT) + r + 1 end
  end
  return 0
end

-- The record plus its position; the state is taken from the HGETALL
-- reply rather than read again.
local function job_fields(id)
  local h = redis.call('HGETALL', jk(id))
  if #h == 0 then return h end
  local st
  for i = 1, #h, 2 do
    if h[i] == 'state' then st = h[i + 1] break end
  end
  h[#h + 1] = 'position'
  h[#h + 1] = tostring(position(id, st))
  return h
end

local function metric(field, by) redis.call('HINCRBY', K_METR, field, by) end

local function count_finish(status, etype)
  metric('export_jobs_total{status="' .. status .. '",export_type="' .. etype .. '"}', 1)
end

-- Move an unfinished job to a finished state.  The caller removed it from
-- its current state index.
-- owner and etype may be passed when the caller read them already; extra
-- is a list of more field/value pairs to set in the same HSET.
local function finish(id, status, now, err, owner, etype, extra)
  local k = jk(id)
  if not owner then owner, etype = unpack(redis.call('HMGET', k, 'owner', 'type')) end
  local f = { 'state', status, 'finAt', now, 'worker', '', 'lease', 0 }
  if err then f[#f + 1] = 'error'; f[#f + 1] = err end
  if extra then for _, v in ipairs(extra) do f[#f + 1] = v end end
  redis.call('HSET', k, unpack(f))
  redis.call('ZADD', STATE_KEY[status], now, id)
  hdec(K_PEND, owner)
  count_finish(status, etype or '')
end

-- Remove a job and every index entry; returns its file name or false.
local function delete_job(id)
  local k = jk(id)
  local st, owner, file = unpack(redis.call('HMGET', k, 'state', 'owner', 'file'))
  if not st then return false end
  if STATE_KEY[st] then redis.call('ZREM', STATE_KEY[st], id) end
  if st == 'active' then hdec(K_ACTU, owner) end
  if st == 'waiting' or st == 'active' or st == 'delayed' then hdec(K_PEND, owner) end
  redis.call('ZREM', uk(owner), id)
  redis.call('ZREM', K_FILES, id)
  redis.call('DEL', k)
  if file and file ~= '' then return file end
  return false
end

-- Check that worker w holds the lease of job id.  Returns the state or an
-- error code: -404 no record, -1 lease lost.
local function lease_check(id, w)
  local st, holder = unpack(redis.call('HMGET', jk(id), 'state', 'worker'))
  if not st then return -404 end
  if st ~= 'active' or holder ~= w then return -1 end
  return 0
end

-- lease_check and read more fields in one call: code, {fields...}
local function lease_read(id, w, ...)
  local v = redis.call('HMGET', jk(id), 'state', 'worker', ...)
  if not v[1] then return -404, v end
  if v[1] ~= 'active' or v[2] ~= w then return -1, v end
  return 0, v
end
