-- charge: ARGV 2 owner, 3 rate per hour.  A sync export counts toward the
-- hourly limit only.  {1} | {-2, retry s}.
local owner = ARGV[2]
local now, now_s = now_ms()
local rk = P .. 'rate:' .. owner
local ttl, retry = rate_check(rk, now, tonumber(ARGV[3]))
if retry then return { -2, retry } end
rate_add(rk, now, now_s, ttl, 'sync:' .. int(redis.call('INCR', K_SEQ)))
return { 1 }
