/**
 * trimBelowAcknowledged (1 key). Atomically trims a stream below the lowest position that every
 * consumer group still needs: for each group, its oldest pending entry, or the entry after its
 * last delivered one when nothing is pending. A stream without groups is not trimmed, so an
 * entry no group has read yet is never lost. Streams declared lossy (ARGV[1] max length,
 * ARGV[2] max age in ms; 0 = no bound) are in addition bounded regardless of acknowledgements.
 * Returns the number of entries removed.
 */
export const trimBelowAcknowledgedScript = `
local key = KEYS[1]
local maxLen = tonumber(ARGV[1])
local maxAgeMs = tonumber(ARGV[2])
if redis.call('EXISTS', key) == 0 then return 0 end

local function parse(id)
  local dash = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end
local function less(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  if am ~= bm then return am < bm end
  return as < bs
end

local removed = 0
local groups = redis.call('XINFO', 'GROUPS', key)
local floor = nil
for _, g in ipairs(groups) do
  local info = {}
  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
  local needed
  if tonumber(info['pending']) > 0 then
    needed = redis.call('XPENDING', key, info['name'])[2]
  else
    local ms, seq = parse(info['last-delivered-id'])
    needed = string.format('%.0f-%.0f', ms, seq + 1)
  end
  if floor == nil or less(needed, floor) then floor = needed end
end
if floor ~= nil then
  removed = removed + redis.call('XTRIM', key, 'MINID', floor)
end
if maxLen > 0 then
  removed = removed + redis.call('XTRIM', key, 'MAXLEN', maxLen)
end
if maxAgeMs > 0 then
  local t = redis.call('TIME')
  local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  removed = removed + redis.call('XTRIM', key, 'MINID', string.format('%.0f-0', nowMs - maxAgeMs))
end
return removed
`;

/** takeMirrorMark (1 key): consumes one mark left by a mirror; 1 if there was one. */
export const takeMirrorMarkScript = `
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v <= 0 then return 0 end
if v == 1 then redis.call('DEL', KEYS[1]) else redis.call('DECR', KEYS[1]) end
return 1
`;

/**
 * appendBatch (N keys): appends a batch of events in one call, atomically. KEYS are the
 * distinct stream keys; each ARGV is one event as "<key index>\t<subject>\t<envelope>" (one
 * argument per event keeps the client's cost per event low; tabs cannot occur in a subject, and
 * the envelope is the rest of the string). Returns the entry ids.
 */
export const appendBatchScript = `
local ids = {}
for i = 1, #ARGV do
  local a = ARGV[i]
  local t1 = string.find(a, '\t', 1, true)
  local t2 = string.find(a, '\t', t1 + 1, true)
  ids[i] = redis.call('XADD', KEYS[tonumber(string.sub(a, 1, t1 - 1))], '*', 's', string.sub(a, t1 + 1, t2 - 1), 'e', string.sub(a, t2 + 1))
end
return ids
`;
