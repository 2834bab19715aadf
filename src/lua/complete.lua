-- complete: ARGV 2 id, 3 worker, 4 result json, 5 rows, 6 bytes, 7 file
-- name, 8 file expiry ms.  {1} | {-1} lease lost | {-404} | {-499} a cancel
-- was requested (and answered 202) after the worker last looked: the job
-- stays active for the worker to remove its file and ackcancel.  The error
-- of an earlier failed attempt is cleared.
local id, w = ARGV[2], ARGV[3]
local c, v = lease_read(id, w, 'owner', 'type', 'startAt', 'cancel', 'error')
if c ~= 0 then return { c } end
if num(v[6]) == 1 then return { -499 } end
local owner, etype, started = v[3], v[4] or '', v[5]
local k = jk(id)
local now, now_s = now_ms()
redis.call('ZREM', K_ACT, id)
hdec(K_ACTU, owner)
if v[7] then redis.call('HDEL', k, 'error') end
redis.call('HSET', k, 'state', 'completed', 'finAt', now_s, 'worker', '', 'lease', '0',
  'progress', '100', 'result', ARGV[4], 'rows', ARGV[5], 'file', ARGV[7],
  'fileExp', ARGV[8], 'expired', '0')
redis.call('ZADD', K_DONE, now_s, id)
hdec(K_PEND, owner)
redis.call('ZADD', K_FILES, ARGV[8], id)
local dur = (now - num(started)) / 1000
if dur < 0 then dur = 0 end
-- one field per bucket, not cumulative: the renderer sums them (and the
-- count is the sum of all), so a completion counts in one bucket.  The
-- five series are read and written back in one HMGET and one HSET (the
-- script is atomic, so this is an increment).
local le = '+Inf'
for _, b in ipairs({ 1, 5, 15, 60, 300, 900, 3600 }) do
  if dur <= b then le = tostring(b) break end
end
local f = { 'export_jobs_total{status="completed",export_type="' .. etype .. '"}',
  'export_job_duration_seconds_bucket{le="' .. le .. '"}',
  'export_job_duration_seconds_sum',
  'export_rows_total{export_type="' .. etype .. '"}',
  'export_bytes_total{export_type="' .. etype .. '"}' }
local m = redis.call('HMGET', K_METR, unpack(f))
redis.call('HSET', K_METR, f[1], string.format('%d', num(m[1]) + 1),
  f[2], string.format('%d', num(m[2]) + 1),
  f[3], string.format('%.3f', num(m[3]) + dur),
  f[4], string.format('%d', num(m[4]) + num(ARGV[5])),
  f[5], string.format('%d', num(m[5]) + num(ARGV[6])))
if redis.call('ZCARD', K_WAIT) > 0 then wake(1) end
return { 1 }
