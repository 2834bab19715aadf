-- recover: ARGV 2 max attempts.  Active jobs whose lease expired go back to
-- waiting (their attempt stays counted), or fail when attempts are used up,
-- or end cancelled when a cancel was requested.  At most 1000 a call.  {n}.
local now = now_ms()
local ids = redis.call('ZRANGEBYSCORE', K_ACT, '-inf', now, 'LIMIT', 0, 1000)
for _, id in ipairs(ids) do
  local k = jk(id)
  local owner, prio, seq, att, cancel =
    unpack(redis.call('HMGET', k, 'owner', 'prio', 'seq', 'attempts', 'cancel'))
  redis.call('ZREM', K_ACT, id)
  if owner then
    hdec(K_ACTU, owner)
    if num(cancel) == 1 then
      finish(id, 'cancelled', now, nil)
    elseif num(att) >= tonumber(ARGV[2]) then
      finish(id, 'failed', now, 'the worker running this export stopped responding')
    else
      redis.call('HSET', k, 'state', 'waiting', 'worker', '', 'lease', 0, 'startAt', 0)
      redis.call('ZADD', K_WAIT, wait_score(prio, seq), id)
    end
  end
end
wake(#ids)
return { #ids }
