/**
 * The store's Lua scripts. Redis runs a script atomically, so each operation below is one indivisible step for every
 * replica: of two takes of one id exactly one gets the record, and the bound is checked and made room for in the same
 * step as the put. KEYS[1] is the record's key, KEYS[2] the index of records by issue time, KEYS[3] by expiry.
 */

/** ARGV: id, record JSON, issuedAt, expiresAt, now, capacity, TTL (ms), the record key prefix. */
export const put = `
local key, issued, expires = KEYS[1], KEYS[2], KEYS[3]
local id = ARGV[1]
local capacity = tonumber(ARGV[6])
local prefix = ARGV[8]
local function drop(member)
  redis.call('DEL', prefix .. member)
  redis.call('ZREM', issued, member)
  redis.call('ZREM', expires, member)
end
if redis.call('EXISTS', key) == 0 then
  redis.call('ZREM', issued, id)
  redis.call('ZREM', expires, id)
  if redis.call('ZCARD', issued) >= capacity then
    for _, member in ipairs(redis.call('ZRANGEBYSCORE', expires, '-inf', '(' .. ARGV[5])) do drop(member) end
    while redis.call('ZCARD', issued) >= capacity do
      local oldest = redis.call('ZRANGE', issued, 0, 0)
      if #oldest == 0 then break end
      drop(oldest[1])
    end
  end
end
redis.call('SET', key, ARGV[2], 'PX', ARGV[7])
redis.call('ZADD', issued, ARGV[3], id)
redis.call('ZADD', expires, ARGV[4], id)
return 1
`

/** ARGV: id. Returns the record JSON, or nil; the record is gone afterwards. */
export const take = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return value
`

/**
 * KEYS[1] the index by issue time, KEYS[2] by expiry; ARGV: now, the record key prefix. Forgets index entries whose
 * record Redis already let lapse (its TTL), then counts.
 */
export const size = `
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])) do
  if redis.call('EXISTS', ARGV[2] .. member) == 0 then
    redis.call('ZREM', KEYS[1], member)
    redis.call('ZREM', KEYS[2], member)
  end
end
return redis.call('ZCARD', KEYS[1])
`

/**
 * KEYS[1] the counter; ARGV: limit (or -1 for none), TTL (ms). Adds one unless the counter is at the limit; returns
 * 1 when it added, 0 when the limit was reached.
 */
export const reserve = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
if limit >= 0 and used >= limit then return 0 end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`

/** KEYS[1] the counter. Gives one back, never below zero. */
export const release = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used > 0 then redis.call('DECR', KEYS[1]) end
return 1
`
