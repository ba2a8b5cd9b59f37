import type { CollectionBackend, IndexBound } from "../backend.js";
import type { IndexEntry } from "../collections/types.js";
import { script, type RunScript } from "./redis-script.js";

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
const INDEX_ADD = script(`${INDEX_WRITE}
local added = not take(ARGV[1])
redis.call('ZADD', KEYS[1], 0, ARGV[2] .. '\\0' .. ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1]) end
purge()
settle()
return added and 1 or 0`);

// ARGV: member.
const INDEX_REMOVE = script(`${INDEX_WRITE}
local removed = take(ARGV[1])
purge()
settle()
return removed and 1 or 0`);

// KEYS: keys, expiring. ARGV: member.
const INDEX_KEY_OF = script(`${NOW}
local key = redis.call('HGET', KEYS[1], ARGV[1])
if not key then return false end
local at = redis.call('ZSCORE', KEYS[2], ARGV[1])
if at and tonumber(at) <= now then return false end
return key`);

// KEYS: keys, expiring. Members minus those expired and not yet taken out.
const INDEX_COUNT = script(`${NOW}
return redis.call('HLEN', KEYS[1]) - redis.call('ZCOUNT', KEYS[2], '-inf', now)`);

// KEYS: sorted, expiring. ARGV: 'asc' | 'desc', start and stop bounds in walk
// order (ZRANGE BYLEX syntax), limit + 1. Skips expired members, looking at no
// more than SCAN_BUDGET entries: past it the reply carries where to resume.
const INDEX_RANGE = script(`${NOW}
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
const LOG_APPEND = script(`${position}
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
const LOG_RANGE = script(`${position}
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
const LOG_TRIM = script(`${position}
if redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
local stop = math.min(tonumber(ARGV[1]), length + 1, first + tonumber(ARGV[2]))
while first < stop do
  redis.call('HDEL', KEYS[1], field(first))
  first = first + 1
end
redis.call('HSET', KEYS[1], 'first', first)
return first`);

const LOG_LENGTH = script(`return tonumber(redis.call('HGET', KEYS[1], 'length') or '0')`);

export interface RedisCommands {
  hGet(key: string, field: string): Promise<string | null | undefined>;
  unlink(keys: string[]): Promise<unknown>;
}

const bound = (edge: IndexBound | undefined, open: "-" | "+"): string =>
  edge ? `${edge.inclusive ? "[" : "("}${edge.key}\0${edge.member}` : open;
const split = (entry: string): IndexEntry => {
  const at = entry.indexOf("\0");
  return { member: entry.slice(at + 1), key: entry.slice(0, at) };
};

export function createRedisCollections(run: RunScript, commands: RedisCommands): CollectionBackend {
  const indexKeys = (name: string) => [`{${name}}:sorted`, `{${name}}:keys`, `{${name}}:expiring`];
  const logKey = (name: string) => `{${name}}:log`;
  const ttl = (ms: number | undefined) => (ms === undefined ? "" : String(ms));

  return {
    indexAdd: async (name, member, key, ttlMs) => Number(await run(INDEX_ADD, indexKeys(name), [member, key, ttl(ttlMs)])) === 1,
    indexRemove: async (name, member) => Number(await run(INDEX_REMOVE, indexKeys(name), [member])) === 1,
    async indexKeyOf(name, member) {
      const reply = await run(INDEX_KEY_OF, indexKeys(name).slice(1), [member]);
      return typeof reply === "string" ? reply : undefined;
    },
    async indexRange(name, { low, high, order, limit }) {
      const [sorted, , expiring] = indexKeys(name);
      const [start, stop] = order === "asc" ? [bound(low, "-"), bound(high, "+")] : [bound(high, "+"), bound(low, "-")];
      const [resume, ...found] = (await run(INDEX_RANGE, [sorted!, expiring!], [order, start, stop, String(limit + 1)])) as string[];
      const entries = found.slice(0, limit).map(split);
      if (found.length > limit) return { entries, next: entries.at(-1)! };
      return { entries, next: resume ? split(resume) : null };
    },
    indexCount: async (name) => Number(await run(INDEX_COUNT, indexKeys(name).slice(1), [])),
    async indexDrop(name) {
      await commands.unlink(indexKeys(name));
    },

    async logAppend(name, raws, { ifLength, maxLength, idleTtlMs }) {
      const reply = (await run(LOG_APPEND, [logKey(name)], [ifLength === undefined ? "" : String(ifLength), ttl(maxLength), ttl(idleTtlMs), ...raws])) as [number, number, string | null | undefined];
      return { appended: reply[0] === 1, length: Number(reply[1]), last: reply[2] ?? undefined };
    },
    async logGet(name, position) {
      // Positions before `first` are deleted in the step that moves it, so the field alone says whether the entry is there.
      return (await commands.hGet(logKey(name), String(position))) ?? undefined;
    },
    async logRange(name, { order, after, limit }) {
      const [next, low, ...values] = (await run(LOG_RANGE, [logKey(name)], [order, after === undefined ? "" : String(after), String(limit)])) as [number, number, ...Array<string | null>];
      const entries = values.flatMap((raw, i) => (raw === null ? [] : [{ position: Number(low) + i, raw }]));
      return { entries: order === "asc" ? entries : entries.reverse(), next: Number(next) === 0 ? null : Number(next) };
    },
    logLength: async (name) => Number(await run(LOG_LENGTH, [logKey(name)], [])),
    logTrim: async (name, position, limit) => Number(await run(LOG_TRIM, [logKey(name)], [String(position), String(limit)])),
    async logDrop(name) {
      await commands.unlink([logKey(name)]);
    },
  };
}
