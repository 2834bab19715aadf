-- claim: ARGV 2 worker, 3 lease ms, 4 max active per owner, 5 scan limit.
-- Walks the waiting set in dispatch order, skipping owners at their active
-- cap, at most ARGV[5] entries.  Returns the job's fields, or {} when
-- nothing can start (or the queue is paused).
if redis.call('EXISTS', K_PAUSED) == 1 then return {} end
local w, lease, cap, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local full = {}
local seen, batch = 0, 100
while seen < limit do
  local ids = redis.call('ZRANGE', K_WAIT, int(seen), int(seen + batch - 1))
  if #ids == 0 then break end
  for i, id in ipairs(ids) do
    local k = jk(id)
    local v = redis.call('HMGET', k, 'owner', 'attempts')
    local owner = v[1]
    if not owner then
      redis.call('ZREM', K_WAIT, id) -- index entry without record: heal
    elseif not full[owner] then
      if num(redis.call('HGET', K_ACTU, owner)) >= cap then
        full[owner] = true
      else
        local now, now_s = now_ms()
        local until_ms = int(now + lease)
        redis.call('ZREM', K_WAIT, id)
        redis.call('HSET', k, 'state', 'active', 'worker', w, 'lease', until_ms,
          'startAt', now_s, 'progress', '0', 'rows', '0', 'rps', '0',
          'attempts', int(num(v[2]) + 1))
        redis.call('ZADD', K_ACT, until_ms, id)
        redis.call('HINCRBY', K_ACTU, owner, '1')
        -- more work may be startable: let another idle worker look.  Jobs
        -- still wait when this one was not the first looked at, or not
        -- the last of its batch; only at a full batch's end ask ZCARD.
        if seen > 0 or i < #ids or (#ids == batch and redis.call('ZCARD', K_WAIT) > 0) then
          wake(1)
        end
        return redis.call('HGETALL', k)
      end
    end
    seen = seen + 1
    if seen >= limit then break end
  end
  if #ids < batch then break end
end
return {}
