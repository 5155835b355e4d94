/*
 * Read-modify-write steps of the routing table, each one atomic script (BullMQ style: the name says
 * how many keys it touches). Each publishes the service name on the updates channel (ARGV[1]).
 */

/**
 * updateWeights (2 keys: hosts, weights). ARGV: channel, service, weights…
 * Returns -1 if the service has no hosts, the host count if the weight count differs, otherwise
 * {hosts, weights} after the update.
 */
export const updateWeightsScript = `
local hostCount = redis.call('LLEN', KEYS[1])
if hostCount == 0 then return -1 end
if hostCount ~= #ARGV - 2 then return hostCount end
redis.call('DEL', KEYS[2])
for i = 3, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return {redis.call('LRANGE', KEYS[1], 0, -1), redis.call('LRANGE', KEYS[2], 0, -1)}
`;

/**
 * appendHost (3 keys: hosts, weights, services). ARGV: channel, service, host, weight.
 * Creates the record when missing (dropping a stray weights list). Returns {hosts, weights}.
 */
export const appendHostScript = `
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[2]) end
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('RPUSH', KEYS[1], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return {redis.call('LRANGE', KEYS[1], 0, -1), redis.call('LRANGE', KEYS[2], 0, -1)}
`;

/**
 * clearRecords (1 key: services; the per-service list keys are derived from its members, which is
 * fine on a single Redis but not on a cluster). ARGV: channel, hosts key prefix, weights key prefix.
 * Returns the number of services removed.
 */
export const clearRecordsScript = `
local services = redis.call('SMEMBERS', KEYS[1])
for _, service in ipairs(services) do
  redis.call('DEL', ARGV[2] .. service, ARGV[3] .. service)
  redis.call('PUBLISH', ARGV[1], service)
end
redis.call('DEL', KEYS[1])
return #services
`;
