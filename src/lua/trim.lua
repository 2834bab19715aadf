-- trim: ARGV 2 now ms, 3 completed max age ms, 4 completed max count, 5
-- failed/cancelled max age ms.  Removes at most 1000 jobs a call.
-- {removed, more (0/1), file names...}.
local now = tonumber(ARGV[2])
local victims = {}
local function take(ids) for _, id in ipairs(ids) do
  if #victims < 1000 then victims[#victims + 1] = id end end end
take(redis.call('ZRANGEBYSCORE', K_DONE, '-inf', now - tonumber(ARGV[3]), 'LIMIT', 0, 1000))
take(redis.call('ZRANGEBYSCORE', K_FAIL, '-inf', now - tonumber(ARGV[5]), 'LIMIT', 0, 1000))
take(redis.call('ZRANGEBYSCORE', K_CANC, '-inf', now - tonumber(ARGV[5]), 'LIMIT', 0, 1000))
local out = { 0, 0 }
for _, id in ipairs(victims) do
  local f = delete_job(id)
  out[1] = out[1] + 1
  if f then out[#out + 1] = f end
end
local over = redis.call('ZCARD', K_DONE) - tonumber(ARGV[4])
if over > 0 then
  local n = math.min(over, 1000 - out[1])
  if n > 0 then
    for _, id in ipairs(redis.call('ZRANGE', K_DONE, 0, n - 1)) do
      local f = delete_job(id)
      out[1] = out[1] + 1
      if f then out[#out + 1] = f end
    end
  end
end
if out[1] >= 1000 then out[2] = 1 end
return out
