-- common.lua: prepended to every script (see embed.awk).  ARGV[1] is the
-- key prefix; every key is <prefix>:<name>.  Times are ms since the epoch
-- from the Redis server clock (TIME), so every host agrees on leases.
local P = ARGV[1] .. ':'
local K_WAIT, K_ACT, K_DEL = P .. 'waiting', P .. 'active', P .. 'delayed'
local K_DONE, K_FAIL, K_CANC = P .. 'completed', P .. 'failed', P .. 'cancelled'
local K_PEND, K_ACTU, K_WAKE = P .. 'pending', P .. 'activeu', P .. 'wake'
local K_FILES, K_METR, K_SEQ = P .. 'files', P .. 'metrics', P .. 'seq'
local K_PAUSED, K_WORKERS = P .. 'paused', P .. 'workers'
local PRIO_SHIFT = 1099511627776 -- 2^40: score = prio * 2^40 + seq
local STATE_KEY = { waiting = K_WAIT, active = K_ACT, delayed = K_DEL,
  completed = K_DONE, failed = K_FAIL, cancelled = K_CANC }

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function jk(id) return P .. 'job:' .. id end
local function uk(owner) return P .. 'user:' .. owner end
local function num(v) return tonumber(v) or 0 end

-- Decrement a per-owner counter, dropping the field at zero.
local function hdec(key, owner)
  local v = redis.call('HINCRBY', key, owner, -1)
  if v <= 0 then redis.call('HDEL', key, owner) end
end

-- Wake blocked claimers: one token each, the list bounded to 1000.
local function wake(n)
  if n <= 0 then return end
  if n > 1000 then n = 1000 end
  local len = 0
  for _ = 1, n do len = redis.call('LPUSH', K_WAKE, '1') end
  if len > 1000 then redis.call('LTRIM', K_WAKE, 0, 999) end
end

local function wait_score(prio, seq) return num(prio) * PRIO_SHIFT + num(seq) end

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

local function job_fields(id)
  local h = redis.call('HGETALL', jk(id))
  if #h == 0 then return h end
  local st = redis.call('HGET', jk(id), 'state')
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
