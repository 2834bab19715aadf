-- expire: ARGV 2 now ms.  Completed jobs whose file expired: mark expired,
-- return their file names (at most 1000 a call).
local ids = redis.call('ZRANGEBYSCORE', K_FILES, '-inf', tonumber(ARGV[2]), 'LIMIT', 0, 1000)
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', K_FILES, id)
  local f = redis.call('HGET', jk(id), 'file')
  if f then
    redis.call('HSET', jk(id), 'expired', 1)
    if f ~= '' then out[#out + 1] = f end
  end
end
return out
