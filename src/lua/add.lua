-- add: ARGV 2 id, 3 owner, 4 email, 5 request, 6 type, 7 format, 8 prio,
-- 9 max pending, 10 rate per hour.  {1, position} | {-1, retry s} pending
-- limit | {-2, retry s} hourly limit | {-3} id taken.  Limits are checked
-- before anything is written, so a refusal counts toward nothing.
-- Fields that start at 0 (progress, rows, attempts, ...) are not written:
-- an absent number reads as 0 everywhere.
local id, owner = ARGV[2], ARGV[3]
local now, now_s = now_ms()
if num(redis.call('HGET', K_PEND, owner)) >= tonumber(ARGV[9]) then return { -1, 30 } end
local rk = P .. 'rate:' .. owner
local ttl, retry = rate_check(rk, now, tonumber(ARGV[10]))
if retry then return { -2, retry } end
local k = jk(id)
if redis.call('EXISTS', k) == 1 then return { -3 } end
local seq = int(redis.call('INCR', K_SEQ))
redis.call('HSET', k, 'id', id, 'state', 'waiting', 'owner', owner, 'email', ARGV[4],
  'req', ARGV[5], 'type', ARGV[6], 'fmt', ARGV[7], 'prio', ARGV[8], 'seq', seq, 'reqAt', now_s)
redis.call('ZADD', K_WAIT, wait_score(ARGV[8], seq), id)
redis.call('ZADD', uk(owner), seq, id)
redis.call('HINCRBY', K_PEND, owner, '1')
rate_add(rk, now, now_s, ttl, id)
wake(1)
return { 1, redis.call('ZRANK', K_WAIT, id) + 1 }
