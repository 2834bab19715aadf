-- workers: live workers (at most 100): {fields of worker 1, ...}.
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', K_WORKERS, '-inf', now)
local out = {}
for _, w in ipairs(redis.call('ZRANGE', K_WORKERS, 0, 99)) do
  local h = redis.call('HGETALL', P .. 'worker:' .. w)
  if #h > 0 then out[#out + 1] = h else redis.call('ZREM', K_WORKERS, w) end
end
return out
