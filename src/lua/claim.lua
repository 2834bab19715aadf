-- claim: ARGV 2 worker, 3 lease ms, 4 max active per owner, 5 scan limit.
-- Walks the waiting set in dispatch order, skipping owners at their active
-- cap, at most ARGV[5] entries.  Returns the job's fields, or {} when
-- nothing can start (or the queue is paused).
if redis.call('EXISTS', K_PAUSED) == 1 then return {} end
local w, lease, cap, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local full = {}
local seen, batch = 0, 100
while seen < limit do
  local ids = redis.call('ZRANGE', K_WAIT, seen, seen + batch - 1)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    local owner = redis.call('HGET', jk(id), 'owner')
    if not owner then
      redis.call('ZREM', K_WAIT, id) -- index entry without record: heal
    elseif not full[owner] then
      if num(redis.call('HGET', K_ACTU, owner)) >= cap then
        full[owner] = true
      else
        local now = now_ms()
        redis.call('ZREM', K_WAIT, id)
        redis.call('HSET', jk(id), 'state', 'active', 'worker', w, 'lease', now + lease,
          'startAt', now, 'progress', 0, 'rows', 0, 'rps', 0)
        redis.call('HINCRBY', jk(id), 'attempts', 1)
        redis.call('ZADD', K_ACT, now + lease, id)
        redis.call('HINCRBY', K_ACTU, owner, 1)
        -- more work may be startable: let another idle worker look
        if redis.call('ZCARD', K_WAIT) > 0 then wake(1) end
        return redis.call('HGETALL', jk(id))
      end
    end
    seen = seen + 1
    if seen >= limit then break end
  end
  if #ids < batch then break end
end
return {}
