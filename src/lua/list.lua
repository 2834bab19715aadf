-- list: ARGV 2 "owner" or "state", 3 owner or state name, 4 offset, 5 limit
-- (<= 100).  {total, fields of job 1, fields of job 2, ...}: newest first for
-- an owner and for finished states, dispatch order for waiting, due time for
-- delayed, lease deadline for active.
local key, rev
if ARGV[2] == 'owner' then
  key, rev = uk(ARGV[3]), true
else
  key = STATE_KEY[ARGV[3]]
  rev = ARGV[3] == 'completed' or ARGV[3] == 'failed' or ARGV[3] == 'cancelled'
end
local off, lim = tonumber(ARGV[4]), tonumber(ARGV[5])
local out = { redis.call('ZCARD', key) }
if lim <= 0 then return out end
local ids
if rev then ids = redis.call('ZREVRANGE', key, off, off + lim - 1)
else ids = redis.call('ZRANGE', key, off, off + lim - 1) end
for _, id in ipairs(ids) do
  local h = job_fields(id)
  if #h > 0 then out[#out + 1] = h end
end
return out
