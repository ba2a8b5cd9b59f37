import { script } from "./redis-script.js";

/**
 * Indexes and logs in native Redis structures, each write one Lua script (so
 * atomic across every process on the server). Every key of one collection
 * carries the collection's name as its hash tag (`{name}:…`), so each script's
 * keys live in one slot of a Redis Cluster.
 *
 * An index is three keys: `:sorted`, a sorted set of `key NUL member` at score
 * 0, ordered by bytes (ZRANGE BYLEX); `:keys`, a hash member → key (to move or
 * remove a member by id); `:expiring`, a sorted set member → expiry time (ms,
 * Redis's own clock) for members with a TTL. A log is one hash, `:log`: the
 * fields `length` and `first` and one field per position.
 */

// Redis's own clock, the same for every instance of the app (a cluster's slot lives on one node).
const NOW = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

// KEYS: sorted, keys, expiring. Writes take out a few expired members each, so
// expired ones never pile up in an index that is written to; an index whose
// members all expire is given the last expiry as the keys' own, so Redis removes
// it even if nobody touches it again.
const INDEX_WRITE = `${NOW}
local function purge()
  local gone = redis.call('ZRANGE', KEYS[3], '-inf', now, 'BYSCORE', 'LIMIT', 0, 32)
  for _, member in ipairs(gone) do
    local key = redis.call('HGET', KEYS[2], member)
    if key then redis.call('ZREM', KEYS[1], key .. '\\0' .. member) end
    redis.call('HDEL', KEYS[2], member)
    redis.call('ZREM', KEYS[3], member)
  end
end
local function settle()
  local size = redis.call('HLEN', KEYS[2])
  if size > 0 and redis.call('ZCARD', KEYS[3]) == size then
    local at = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')[2]
    for i = 1, 3 do redis.call('PEXPIREAT', KEYS[i], at) end
  else
    for i = 1, 3 do redis.call('PERSIST', KEYS[i]) end
  end
end
local function expired(member)
  local at = redis.call('ZSCORE', KEYS[3], member)
  return at and tonumber(at) <= now
end
-- Takes the member out; true when it was there and unexpired.
local function take(member)
  local key = redis.call('HGET', KEYS[2], member)
  if not key then return false end
  local live = not expired(member)
  redis.call('ZREM', KEYS[1], key .. '\\0' .. member)
  redis.call('HDEL', KEYS[2], member)
  redis.call('ZREM', KEYS[3], member)
  return live
end`;

// ARGV: member, key, ttlMs ('' = none).
export const INDEX_ADD = script(`${INDEX_WRITE}
local added = not take(ARGV[1])
redis.call('ZADD', KEYS[1], 0, ARGV[2] .. '\\0' .. ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1]) end
purge()
settle()
return added and 1 or 0`);

// ARGV: member.
export const INDEX_REMOVE = script(`${INDEX_WRITE}
local removed = take(ARGV[1])
purge()
settle()
return removed and 1 or 0`);

// KEYS: keys, expiring. ARGV: member.
export const INDEX_KEY_OF = script(`${NOW}
local key = redis.call('HGET', KEYS[1], ARGV[1])
if not key then return false end
local at = redis.call('ZSCORE', KEYS[2], ARGV[1])
if at and tonumber(at) <= now then return false end
return key`);

// KEYS: keys, expiring. Members minus those expired and not yet taken out.
export const INDEX_COUNT = script(`${NOW}
return redis.call('HLEN', KEYS[1]) - redis.call('ZCOUNT', KEYS[2], '-inf', now)`);

// KEYS: sorted, expiring. ARGV: 'asc' | 'desc', start and stop bounds in walk
// order (ZRANGE BYLEX syntax), limit + 1. Skips expired members, looking at no
// more than 1,000 entries: past that the reply's first element says where to resume.
export const INDEX_RANGE = script(`${NOW}
local want = tonumber(ARGV[4])
local found = {}
local start = ARGV[2]
local scanned = 0
while #found < want and scanned < 1000 do
  local batch
  if ARGV[1] == 'desc' then
    batch = redis.call('ZRANGE', KEYS[1], start, ARGV[3], 'BYLEX', 'REV', 'LIMIT', 0, want - #found)
  else
    batch = redis.call('ZRANGE', KEYS[1], start, ARGV[3], 'BYLEX', 'LIMIT', 0, want - #found)
  end
  if #batch == 0 then return {'', unpack(found)} end
  for _, entry in ipairs(batch) do
    local member = string.sub(entry, string.find(entry, '\\0', 1, true) + 1)
    local at = redis.call('ZSCORE', KEYS[2], member)
    if not at or tonumber(at) > now then found[#found + 1] = entry end
  end
  scanned = scanned + #batch
  start = '(' .. batch[#batch]
end
if #found < want then return {string.sub(start, 2), unpack(found)} end
return {'', unpack(found)}`);

const position = `local function field(p) return string.format('%d', p) end
local length = tonumber(redis.call('HGET', KEYS[1], 'length') or '0')
local first = tonumber(redis.call('HGET', KEYS[1], 'first') or '1')`;

// ARGV: expected length ('' = any), maxLength (''), idleTtlMs (''), the entries.
// Reply: {appended 0|1, length, last entry when refused}.
export const LOG_APPEND = script(`${position}
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= length then
  local last = false
  if length >= first then last = redis.call('HGET', KEYS[1], field(length)) end
  return {0, length, last}
end
for i = 4, #ARGV do
  length = length + 1
  redis.call('HSET', KEYS[1], field(length), ARGV[i])
end
if ARGV[2] ~= '' then
  local keep = length - tonumber(ARGV[2]) + 1
  while first < keep do
    redis.call('HDEL', KEYS[1], field(first))
    first = first + 1
  end
end
redis.call('HSET', KEYS[1], 'length', length, 'first', first)
if ARGV[3] == '' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, length}`);

// ARGV: 'asc' | 'desc', after ('' = from the start), limit. Reply: {next (0 = none), lowest position, entries from it upwards}.
export const LOG_RANGE = script(`${position}
local after, limit = ARGV[2], tonumber(ARGV[3])
local low, high, next
if ARGV[1] == 'desc' then
  high = length
  if after ~= '' then high = math.min(tonumber(after) - 1, length) end
  low = math.max(first, high - limit + 1)
  next = low
  if low <= first then next = 0 end
else
  low = first
  if after ~= '' then low = math.max(tonumber(after) + 1, first) end
  high = math.min(length, low + limit - 1)
  next = high
  if high >= length then next = 0 end
end
if high < low then return {0, low} end
local fields = {}
for p = low, high do fields[#fields + 1] = field(p) end
return {next, low, unpack(redis.call('HMGET', KEYS[1], unpack(fields)))}`);

// ARGV: position, limit. Reply: the oldest position left.
export const LOG_TRIM = script(`${position}
if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
local stop = math.min(tonumber(ARGV[1]), length + 1, first + tonumber(ARGV[2]))
while first < stop do
  redis.call('HDEL', KEYS[1], field(first))
  first = first + 1
end
redis.call('HSET', KEYS[1], 'first', first)
return first`);

export const LOG_LENGTH = script(`return tonumber(redis.call('HGET', KEYS[1], 'length') or '0')`);
