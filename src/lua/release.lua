-- release: ARGV 2 id, 3 worker.  active -> waiting at its old place, the
-- attempt not counted.  {1} | {-1} | {-404}.
local id, w = ARGV[2], ARGV[3]
local c = lease_check(id, w)
if c ~= 0 then return { c } end
local k = jk(id)
local owner, prio, seq, att = unpack(redis.call('HMGET', k, 'owner', 'prio', 'seq', 'attempts'))
redis.call('ZREM', K_ACT, id)
hdec(K_ACTU, owner)
local a = num(att) - 1
if a < 0 then a = 0 end
redis.call('HSET', k, 'state', 'waiting', 'worker', '', 'lease', 0, 'attempts', a,
  'progress', 0, 'startAt', 0)
redis.call('ZADD', K_WAIT, wait_score(prio, seq), id)
wake(1)
return { 1 }
