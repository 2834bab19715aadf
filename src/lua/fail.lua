-- fail: ARGV 2 id, 3 worker, 4 error, 5 retryable (0/1), 6 max attempts,
-- 7 backoff ms.  {1, final} (final 1: failed, 0: delayed) | {-1} | {-404}.
-- A job whose cancel was requested ends cancelled instead: {1, 2}.
local id, w = ARGV[2], ARGV[3]
local c = lease_check(id, w)
if c ~= 0 then return { c } end
local k = jk(id)
local now = now_ms()
local owner, att, cancel = unpack(redis.call('HMGET', k, 'owner', 'attempts', 'cancel'))
redis.call('ZREM', K_ACT, id)
hdec(K_ACTU, owner)
if redis.call('ZCARD', K_WAIT) > 0 then wake(1) end
if num(cancel) == 1 then
  finish(id, 'cancelled', now, nil)
  return { 1, 2 }
end
if ARGV[5] == '1' and num(att) < tonumber(ARGV[6]) then
  local due = now + tonumber(ARGV[7]) * 2 ^ (num(att) - 1)
  redis.call('HSET', k, 'state', 'delayed', 'due', due, 'worker', '', 'lease', 0,
    'error', ARGV[4])
  redis.call('ZADD', K_DEL, due, id)
  return { 1, 0 }
end
finish(id, 'failed', now, ARGV[4])
return { 1, 1 }
