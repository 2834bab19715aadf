-- promote: due delayed jobs -> waiting, at most 1000 a call.  {n}.
local now = now_ms()
local ids = redis.call('ZRANGEBYSCORE', K_DEL, '-inf', now, 'LIMIT', 0, 1000)
for _, id in ipairs(ids) do
  local k = jk(id)
  local prio, seq = unpack(redis.call('HMGET', k, 'prio', 'seq'))
  redis.call('ZREM', K_DEL, id)
  if seq then
    redis.call('HSET', k, 'state', 'waiting', 'due', 0)
    redis.call('ZADD', K_WAIT, wait_score(prio, seq), id)
  end
end
wake(#ids)
return { #ids }
