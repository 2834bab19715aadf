-- retry: ARGV 2 id.  failed -> waiting (at its submission place),
-- attempts reset.  {1, position} | {-409} | {-404}.
local id = ARGV[2]
local k = jk(id)
local st, owner, prio, seq = unpack(redis.call('HMGET', k, 'state', 'owner', 'prio', 'seq'))
if not st then return { -404 } end
if st ~= 'failed' then return { -409 } end
redis.call('ZREM', K_FAIL, id)
redis.call('HSET', k, 'state', 'waiting', 'attempts', 0, 'finAt', 0, 'progress', 0,
  'rows', 0, 'rps', 0, 'startAt', 0, 'cancel', 0)
redis.call('HDEL', k, 'error')
redis.call('ZADD', K_WAIT, wait_score(prio, seq), id)
redis.call('HINCRBY', K_PEND, owner, 1)
wake(1)
return { 1, redis.call('ZRANK', K_WAIT, id) + 1 }
