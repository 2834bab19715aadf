-- add: ARGV 2 id, 3 owner, 4 email, 5 request, 6 type, 7 format, 8 prio,
-- 9 max pending, 10 rate per hour.  {1, position} | {-1, retry s} pending
-- limit | {-2, retry s} hourly limit | {-3} id taken (HSETNX on the id
-- field).  Limits are checked before anything is written, so a refusal
-- counts toward nothing.
local id, owner = ARGV[2], ARGV[3]
local now = now_ms()
if num(redis.call('HGET', K_PEND, owner)) >= tonumber(ARGV[9]) then return { -1, 30 } end
local rk = P .. 'rate:' .. owner
redis.call('ZREMRANGEBYSCORE', rk, '-inf', now - 3600000)
if redis.call('ZCARD', rk) >= tonumber(ARGV[10]) then
  local oldest = redis.call('ZRANGE', rk, 0, 0, 'WITHSCORES')
  local s = math.ceil((tonumber(oldest[2]) + 3600000 - now) / 1000)
  if s < 1 then s = 1 end
  return { -2, s }
end
if redis.call('HSETNX', jk(id), 'id', id) == 0 then return { -3 } end
local seq = redis.call('INCR', K_SEQ)
redis.call('HSET', jk(id), 'state', 'waiting', 'owner', owner, 'email', ARGV[4],
  'req', ARGV[5], 'type', ARGV[6], 'fmt', ARGV[7], 'prio', ARGV[8], 'seq', seq,
  'progress', 0, 'rows', 0, 'rowsEst', 0, 'rps', 0, 'reqAt', now, 'startAt', 0,
  'finAt', 0, 'attempts', 0, 'cancel', 0)
redis.call('ZADD', K_WAIT, wait_score(ARGV[8], seq), id)
redis.call('ZADD', uk(owner), seq, id)
redis.call('HINCRBY', K_PEND, owner, 1)
redis.call('ZADD', rk, now, id)
redis.call('PEXPIRE', rk, 3600000)
wake(1)
return { 1, redis.call('ZRANK', K_WAIT, id) + 1 }
