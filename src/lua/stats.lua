-- stats: {waiting, active, delayed, completed, failed, cancelled, paused,
-- live workers}.  Dead workers' index entries are dropped on the way.
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', K_WORKERS, '-inf', now)
return { redis.call('ZCARD', K_WAIT), redis.call('ZCARD', K_ACT), redis.call('ZCARD', K_DEL),
  redis.call('ZCARD', K_DONE), redis.call('ZCARD', K_FAIL), redis.call('ZCARD', K_CANC),
  redis.call('EXISTS', K_PAUSED), redis.call('ZCARD', K_WORKERS) }
