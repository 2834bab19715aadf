-- control: ARGV 2 verb.  "pause" | "resume" (wakes claimers for the
-- waiting jobs) | "gone" ARGV 3 worker id | "lock" ARGV 3 name, 4 owner,
-- 5 ttl ms (1 when the caller holds the lock afterwards).
local verb = ARGV[2]
if verb == 'pause' then
  redis.call('SET', K_PAUSED, '1')
  return { 1 }
elseif verb == 'resume' then
  redis.call('DEL', K_PAUSED)
  wake(redis.call('ZCARD', K_WAIT))
  return { 1 }
elseif verb == 'gone' then
  redis.call('DEL', P .. 'worker:' .. ARGV[3])
  redis.call('ZREM', K_WORKERS, ARGV[3])
  return { 1 }
elseif verb == 'lock' then
  local k = P .. 'lock:' .. ARGV[3]
  if redis.call('SET', k, ARGV[4], 'NX', 'PX', ARGV[5]) then return { 1 } end
  if redis.call('GET', k) == ARGV[4] then
    redis.call('PEXPIRE', k, ARGV[5])
    return { 1 }
  end
  return { 0 }
end
return redis.error_reply('unknown verb')
