-- Records one DPoP proof, atomically: the whole check is one script, so of
-- two concurrent calls for the same proof exactly one stores it.
--
-- KEYS[1]  the generation marker: the Unix second this store (re)started
-- KEYS[2]  the sorted set of the proof's key: member = hash(jkt, jti),
--          score = the last second at which the proof can pass
-- ARGV[1]  the member
-- ARGV[2]  expires_at (Unix seconds)
-- ARGV[3]  now (Unix seconds, from the caller's clock; Redis's own clock is
--          never read, so that every replica and test agree on "now")
-- ARGV[4]  the most live proofs one key may hold
-- ARGV[5]  the proof lifetime (seconds): iat offset + 2 x iat leeway
--
-- Returns {code, value}:
--   {0, 0}       stored
--   {1, 0}       replayed: the proof is already recorded
--   {2, oldest}  the key holds its share; its oldest entry expires at `oldest`
--   {3, marker}  the store restarted at `marker`, and the proof may predate it

local member = ARGV[1]
local expires_at = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local max_per_key = tonumber(ARGV[4])
local lifetime = tonumber(ARGV[5])

-- A missing (or unreadable) marker means the store lost its data, or was
-- never used: start a new generation now. No TTL: it must outlive entries.
local marker = tonumber(redis.call('GET', KEYS[1]) or '')
if not marker then
  redis.call('SET', KEYS[1], ARGV[3])
  marker = now
end
-- A proof accepted before the reset was accepted at or before `marker`, so
-- its iat <= marker + leeway and its expires_at <= marker + lifetime.
if expires_at <= marker + lifetime then
  return {3, marker}
end

-- Such a proof fails the iat window; the verifier never asks. Storing it
-- would only take space.
if expires_at < now then
  return {0, 0}
end

-- Add first: a member already present is a replay. (An expired member
-- still present cannot be asked about: its proof fails the iat window.)
if redis.call('ZADD', KEYS[2], 'NX', expires_at, member) == 0 then
  return {1, 0}
end
-- Over the share? Expired members are only dropped here, when they could
-- change the answer: the common path stays at four calls, and a set never
-- holds more than the share plus the one member being decided.
local count = redis.call('ZCARD', KEYS[2])
if count > max_per_key then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[3])
  count = redis.call('ZCARD', KEYS[2])
  if count > max_per_key then
    redis.call('ZREM', KEYS[2], member)
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {2, tonumber(oldest[2])}
  end
end
-- The set lives as long as its latest entry, counted from the caller's
-- now (relative, so a caller's clock that differs from Redis's cannot
-- drop the set early), plus one second for the last second itself. GT
-- never shortens it; a new set has no expiry for GT to compare with.
local ttl = expires_at - now + 1
if count == 1 then
  redis.call('EXPIRE', KEYS[2], ttl)
else
  redis.call('EXPIRE', KEYS[2], ttl, 'GT')
end
return {0, 0}
