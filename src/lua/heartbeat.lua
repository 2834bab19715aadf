-- heartbeat: ARGV 2 worker id, 3 host, 4 pid, 5 job id, 6 since ms, 7 ttl.
-- The record expires by itself (PEXPIRE); the index is scored by expiry.
local now = now_ms()
local k = P .. 'worker:' .. ARGV[2]
local ttl = tonumber(ARGV[7])
redis.call('HSET', k, 'id', ARGV[2], 'host', ARGV[3], 'pid', ARGV[4], 'job', ARGV[5],
  'since', ARGV[6], 'beat', now)
redis.call('PEXPIRE', k, ttl)
redis.call('ZADD', K_WORKERS, now + ttl, ARGV[2])
return { 1 }
