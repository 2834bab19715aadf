-- charge: ARGV 2 owner, 3 rate per hour.  A sync export counts toward the
-- hourly limit only.  {1} | {-2, retry s}.
local owner = ARGV[2]
local now = now_ms()
local rk = P .. 'rate:' .. owner
redis.call('ZREMRANGEBYSCORE', rk, '-inf', now - 3600000)
if redis.call('ZCARD', rk) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', rk, 0, 0, 'WITHSCORES')
  local s = math.ceil((tonumber(oldest[2]) + 3600000 - now) / 1000)
  if s < 1 then s = 1 end
  return { -2, s }
end
redis.call('ZADD', rk, now, 'sync:' .. redis.call('INCR', K_SEQ))
redis.call('PEXPIRE', rk, 3600000)
return { 1 }
