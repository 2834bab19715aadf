-- remove: ARGV 2 id, 3 "any" (admin remove) or "finished" (forget).
-- {1, file name or ""} | {-404} | {-409} (forget of an unfinished job).
local id = ARGV[2]
local st = redis.call('HGET', jk(id), 'state')
if not st then return { -404 } end
if ARGV[3] == 'finished' and (st == 'waiting' or st == 'active' or st == 'delayed') then
  return { -409 }
end
local was_active = st == 'active'
local f = delete_job(id)
if was_active and redis.call('ZCARD', K_WAIT) > 0 then wake(1) end
return { 1, f or '' }
