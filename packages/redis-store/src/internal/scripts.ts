/**
 * The store's Lua scripts. Redis runs a script atomically, so each operation below is one indivisible step for every
 * replica: of two takes or spends of one id exactly one gets the record, and each kind's budget is checked and made
 * room for in the same step as the put.
 *
 * Keys (under the prefix `P`, the scripts' last argument): `P token:<id>` the record's JSON (its TTL: the token's
 * lifetime plus a grace period); `P tokens:kind` a hash id → kind (`spent` for a tombstone); per kind,
 * `P tokens:<kind>:used` (a sorted set scored by a shared use counter `P tokens:clock`: least recently used first) and
 * `P tokens:<kind>:expires` (scored by `expiresAt`) — or one `all` budget for every kind when the scripts' one but last
 * argument is `1`. The scripts compute keys, so Redis Cluster is not supported.
 */
const prelude = `
local P = ARGV[#ARGV]
local shared = ARGV[#ARGV - 1] == '1'
local kinds = P .. 'tokens:kind'
local function index(kind, what)
  if shared then kind = 'all' end
  return P .. 'tokens:' .. kind .. ':' .. what
end
local function drop(id)
  local kind = redis.call('HGET', kinds, id)
  redis.call('DEL', P .. 'token:' .. id)
  redis.call('HDEL', kinds, id)
  if kind then
    redis.call('ZREM', index(kind, 'used'), id)
    redis.call('ZREM', index(kind, 'expires'), id)
  end
end
local function touch(id, kind)
  redis.call('ZADD', index(kind, 'used'), redis.call('INCR', P .. 'tokens:clock'), id)
end
-- Keep a record, making room in its kind's budget first: expired records, then the least recently used.
local function insert(id, json, kind, expiresAt, now, budget, ttl)
  drop(id)
  local used = index(kind, 'used')
  if redis.call('ZCARD', used) >= budget then
    for _, member in ipairs(redis.call('ZRANGEBYSCORE', index(kind, 'expires'), '-inf', now)) do drop(member) end
    while redis.call('ZCARD', used) >= budget do
      local oldest = redis.call('ZRANGE', used, 0, 0)
      if #oldest == 0 then break end
      drop(oldest[1])
    end
  end
  redis.call('SET', P .. 'token:' .. id, json, 'PX', ttl)
  redis.call('HSET', kinds, id, kind)
  touch(id, kind)
  redis.call('ZADD', index(kind, 'expires'), expiresAt, id)
end
`

/** ARGV: id, record JSON, kind, expiresAt, now, budget of the kind, TTL (ms), one budget for all (1/0), prefix. */
export const put = `${prelude}
insert(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), ARGV[7])
return 1
`

/** ARGV: id, prefix. The record JSON (a use: it becomes the most recently used of its kind), or nil. */
export const get = `${prelude}
local id = ARGV[1]
local value = redis.call('GET', P .. 'token:' .. id)
local kind = redis.call('HGET', kinds, id)
if not value then
  if kind then drop(id) end
  return false
end
if kind then touch(id, kind) end
return value
`

/** ARGV: id, prefix. The record JSON, or nil; the record is gone afterwards. */
export const take = `${prelude}
local id = ARGV[1]
local value = redis.call('GET', P .. 'token:' .. id)
drop(id)
if not value then return false end
return value
`

/**
 * ARGV: id, kind the live record must have, tombstone JSON, tombstone expiresAt, now, budget of tombstones, TTL (ms),
 * prefix. When the record under id is a live token of that kind, replaces it with the tombstone and returns the live
 * record's JSON; otherwise changes nothing and returns nil.
 */
export const spend = `${prelude}
local id = ARGV[1]
if redis.call('HGET', kinds, id) ~= ARGV[2] then return false end
local value = redis.call('GET', P .. 'token:' .. id)
if not value then
  drop(id)
  return false
end
insert(id, ARGV[3], 'spent', ARGV[4], ARGV[5], tonumber(ARGV[6]), ARGV[7])
return value
`

/** ARGV: now, then the kinds, then one budget (1/0) and prefix. Forgets records Redis already let lapse (their TTL), then counts. */
export const size = `${prelude}
for i = 2, #ARGV - 2 do
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', index(ARGV[i], 'expires'), '-inf', ARGV[1])) do
    if redis.call('EXISTS', P .. 'token:' .. member) == 0 then drop(member) end
  end
end
return redis.call('HLEN', kinds)
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

/** KEYS[1] the counter. Its value (0 when absent). */
export const count = `
return tonumber(redis.call('GET', KEYS[1]) or '0')
`
