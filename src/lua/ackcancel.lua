-- ackcancel: ARGV 2 id, 3 worker.  active with cancel flag -> cancelled.
-- {1} | {-1} lease lost | {-404} | {-409} no cancel was requested.
local id, w = ARGV[2], ARGV[3]
local c = lease_check(id, w)
if c ~= 0 then return { c } end
local k = jk(id)
if num(redis.call('HGET', k, 'cancel')) ~= 1 then return { -409 } end
redis.call('ZREM', K_ACT, id)
hdec(K_ACTU, redis.call('HGET', k, 'owner'))
finish(id, 'cancelled', now_ms(), nil)
if redis.call('ZCARD', K_WAIT) > 0 then wake(1) end
return { 1 }
