-- clean: ARGV 2 state, 3 cutoff ms, 4 offset (waiting/delayed: entries
-- already looked at and kept).  Removes jobs of a finished state that
-- finished before the cutoff, or waiting/delayed jobs requested before it.
-- Looks at most 1000 entries a call.
-- {removed, more (0/1), kept, file names...}.
local st, cutoff = ARGV[2], tonumber(ARGV[3])
local key = STATE_KEY[st]
local out = { 0, 0, 0 }
local ids
if st == 'waiting' or st == 'delayed' then
  local off = tonumber(ARGV[4]) or 0
  ids = redis.call('ZRANGE', key, off, off + 999)
else
  ids = redis.call('ZRANGEBYSCORE', key, '-inf', cutoff, 'LIMIT', 0, 1000)
end
if #ids == 1000 then out[2] = 1 end
for _, id in ipairs(ids) do
  local keep = false
  if st == 'waiting' or st == 'delayed' then
    keep = num(redis.call('HGET', jk(id), 'reqAt')) >= cutoff
  end
  if keep then
    out[3] = out[3] + 1
  else
    local f = delete_job(id)
    out[1] = out[1] + 1
    if f then out[#out + 1] = f end
  end
end
return out
