/**
 * The Lua scripts of `RedisPendingApprovals`. Redis runs a script atomically, so each operation is one indivisible
 * step for every replica: of concurrent openings, decisions, takes or webhook claims of one approval exactly one wins.
 *
 * Keys (under the prefix `P`, every script's last argument): `P approval:<id>` a hash — `body` (the approval's
 * unchanging part, JSON written and read by the replicas only, never re-encoded in Lua), `expiresAt`, and the state
 * flags `opened`, `consumed`, `webhook` (`0`/`1`) and `decision` (JSON, absent until decided); its TTL is the link's
 * lifetime plus a grace period. `P approval-key:<key>` the id of the live approval of a key; `P approvals` a sorted
 * set of ids by creation time, for the bound. The scripts compute keys, so Redis Cluster is not supported.
 */
const prelude = `
local P = ARGV[#ARGV]
local function record(id) return P .. 'approval:' .. id end
`

/** ARGV: id, key, body, expiresAt, createdAt, now, ttl, capacity, P. Returns the id of the live approval of `key`. */
export const open = `${prelude}
local id, key, body = ARGV[1], ARGV[2], ARGV[3]
local expiresAt, createdAt, now = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local ttl, capacity = tonumber(ARGV[7]), tonumber(ARGV[8])
local pointer = P .. 'approval-key:' .. key
local existing = redis.call('GET', pointer)
if existing then
  local state = redis.call('HMGET', record(existing), 'consumed', 'expiresAt')
  if state[1] == '0' and tonumber(state[2]) > now then return existing end
end
local order = P .. 'approvals'
while redis.call('ZCARD', order) >= capacity do
  local oldest = redis.call('ZRANGE', order, 0, 0)
  if #oldest == 0 then break end
  redis.call('DEL', record(oldest[1]))
  redis.call('ZREM', order, oldest[1])
end
redis.call('DEL', record(id))
redis.call('HSET', record(id), 'body', body, 'expiresAt', expiresAt, 'opened', '0', 'consumed', '0', 'webhook', '0')
redis.call('PEXPIRE', record(id), ttl)
redis.call('SET', pointer, id, 'PX', ttl)
redis.call('ZADD', order, createdAt, id)
return id
`

/** ARGV: id, P. Returns the hash's fields and values, flat (empty when unknown). */
export const get = `${prelude}
return redis.call('HGETALL', record(ARGV[1]))
`

/** ARGV: id, now, P. Returns 1 for the first opening of an undecided, unexpired approval, else 0. */
export const claimOpening = `${prelude}
local r = record(ARGV[1])
local s = redis.call('HMGET', r, 'expiresAt', 'opened', 'consumed', 'decision')
if not s[1] or s[2] == '1' or s[3] == '1' or s[4] then return 0 end
if tonumber(ARGV[2]) >= tonumber(s[1]) then return 0 end
redis.call('HSET', r, 'opened', '1')
return 1
`

/** ARGV: id, decision JSON, now, P. Returns decided | unknown | expired | already_decided. */
export const decide = `${prelude}
local r = record(ARGV[1])
local s = redis.call('HMGET', r, 'expiresAt', 'consumed', 'decision')
if not s[1] then return 'unknown' end
if s[2] == '1' or s[3] then return 'already_decided' end
if tonumber(ARGV[3]) >= tonumber(s[1]) then return 'expired' end
redis.call('HSET', r, 'decision', ARGV[2])
return 'decided'
`

/** ARGV: id, P. Returns the decision JSON once (marking it used), else nil. */
export const take = `${prelude}
local r = record(ARGV[1])
local s = redis.call('HMGET', r, 'consumed', 'decision')
if s[1] ~= '0' or not s[2] then return false end
redis.call('HSET', r, 'consumed', '1')
return s[2]
`

/** ARGV: id, P. Returns 1 for the one caller that claims the webhook, else 0. */
export const claimWebhook = `${prelude}
local r = record(ARGV[1])
if redis.call('HGET', r, 'webhook') ~= '0' then return 0 end
redis.call('HSET', r, 'webhook', '1')
return 1
`

/** ARGV: id, P. Gives the webhook claim back (a failed send). */
export const releaseWebhook = `${prelude}
local r = record(ARGV[1])
if redis.call('EXISTS', r) == 1 then redis.call('HSET', r, 'webhook', '0') end
return 1
`
