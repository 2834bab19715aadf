-- complete: ARGV 2 id, 3 worker, 4 result json, 5 rows, 6 bytes, 7 file
-- name, 8 file expiry ms.  {1} | {-1} lease lost | {-404} | {-499} a cancel
-- was requested (and answered 202) after the worker last looked: the job
-- stays active for the worker to remove its file and ackcancel.  The error
-- of an earlier failed attempt is cleared.
local id, w = ARGV[2], ARGV[3]
local c, v = lease_read(id, w, 'owner', 'type', 'startAt', 'cancel')
if c ~= 0 then return { c } end
if num(v[6]) == 1 then return { -499 } end
local owner, etype, started = v[3], v[4] or '', v[5]
local now = now_ms()
redis.call('ZREM', K_ACT, id)
hdec(K_ACTU, owner)
redis.call('HDEL', jk(id), 'error')
finish(id, 'completed', now, nil, owner, etype, { 'progress', 100, 'result', ARGV[4],
  'rows', ARGV[5], 'file', ARGV[7], 'fileExp', ARGV[8], 'expired', 0 })
redis.call('ZADD', K_FILES, tonumber(ARGV[8]), id)
local dur = (now - num(started)) / 1000
if dur < 0 then dur = 0 end
-- one field per bucket, not cumulative: the renderer sums them (and the
-- count is the sum of all), so a completion costs one increment here
local le = '+Inf'
for _, b in ipairs({ 1, 5, 15, 60, 300, 900, 3600 }) do
  if dur <= b then le = tostring(b) break end
end
metric('export_job_duration_seconds_bucket{le="' .. le .. '"}', 1)
redis.call('HINCRBYFLOAT', K_METR, 'export_job_duration_seconds_sum', string.format('%.3f', dur))
metric('export_rows_total{export_type="' .. etype .. '"}', tonumber(ARGV[5]))
metric('export_bytes_total{export_type="' .. etype .. '"}', tonumber(ARGV[6]))
if redis.call('ZCARD', K_WAIT) > 0 then wake(1) end
return { 1 }
