-- progress: ARGV 2 id, 3 worker, 4 lease ms, 5 progress (-1: renew only),
-- 6 rows written, 7 rows estimated.  Renews the lease; progress and rows
-- never go down within an attempt.  {1, cancel} | {-1} lease lost |
-- {1, 1} when the record is gone (removed: the worker must stop).
local id, w = ARGV[2], ARGV[3]
local c = lease_check(id, w)
if c == -404 then return { 1, 1 } end
if c ~= 0 then return { -1 } end
local k = jk(id)
local now = now_ms()
local until_ms = now + tonumber(ARGV[4])
redis.call('HSET', k, 'lease', until_ms)
redis.call('ZADD', K_ACT, until_ms, id)
local p = tonumber(ARGV[5])
if p >= 0 then
  local cur, rows, started = unpack(redis.call('HMGET', k, 'progress', 'rows', 'startAt'))
  if p > 99 then p = 99 end -- 100 only when completed
  if p > num(cur) then redis.call('HSET', k, 'progress', p) end
  local r = tonumber(ARGV[6])
  if r > num(rows) then
    redis.call('HSET', k, 'rows', r)
    local el = now - num(started)
    if el > 0 then redis.call('HSET', k, 'rps', string.format('%.3f', r * 1000 / el)) end
  end
  local est = tonumber(ARGV[7])
  if est > 0 then redis.call('HSET', k, 'rowsEst', est) end
end
return { 1, num(redis.call('HGET', k, 'cancel')) }
