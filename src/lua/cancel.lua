-- cancel: ARGV 2 id.  {1, 0} cancelled now | {1, 1} active: flag set |
-- {-409} finished | {-404}.
local id = ARGV[2]
local k = jk(id)
local st = redis.call('HGET', k, 'state')
if not st then return { -404 } end
if st == 'active' then
  redis.call('HSET', k, 'cancel', 1)
  return { 1, 1 }
end
if st ~= 'waiting' and st ~= 'delayed' then return { -409 } end
redis.call('ZREM', STATE_KEY[st], id)
finish(id, 'cancelled', now_ms(), nil)
return { 1, 0 }
