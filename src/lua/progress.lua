-- progress: ARGV 2 id, 3 worker, 4 lease ms, 5 progress (-1: renew only),
-- 6 rows written, 7 rows estimated.  Renews the lease; progress and rows
-- never go down within an attempt.  {1, cancel} | {-1} lease lost |
-- {1, 1} when the record is gone (removed: the worker must stop).
-- One HMGET reads what is checked, one HSET writes every changed field.
local id, w = ARGV[2], ARGV[3]
local c, v = lease_read(id, w, 'progress', 'rows', 'startAt', 'cancel')
if c == -404 then return { 1, 1 } end
if c ~= 0 then return { -1 } end
local k = jk(id)
local now = now_ms()
local until_ms = int(now + tonumber(ARGV[4]))
local f = { 'lease', until_ms }
local p = tonumber(ARGV[5])
if p >= 0 then
  if p > 99 then p = 99 end -- 100 only when completed
  if p > num(v[3]) then f[#f + 1] = 'progress'; f[#f + 1] = int(p) end
  local r = tonumber(ARGV[6])
  if r > num(v[4]) then
    f[#f + 1] = 'rows'; f[#f + 1] = ARGV[6]
    local el = now - num(v[5])
    if el > 0 then f[#f + 1] = 'rps'; f[#f + 1] = string.format('%.3f', r * 1000 / el) end
  end
  if tonumber(ARGV[7]) > 0 then f[#f + 1] = 'rowsEst'; f[#f + 1] = ARGV[7] end
end
redis.call('HSET', k, unpack(f))
redis.call('ZADD', K_ACT, until_ms, id)
return { 1, num(v[6]) }
