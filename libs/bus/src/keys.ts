/** Every Redis key and channel the bus uses, in one place (BullMQ keeps its keys the same way). */
export interface BusKeys {
  stream(stream: string): string;
  deadLetters(stream: string): string;
  /** SET of stream names ever published to: how wildcard subscriptions find streams. */
  readonly streamRegistry: string;
  /** Pub/sub channel on which one bus instance receives replies to its requests. */
  inbox(busId: string): string;
  /** Marks that a mirror published a line on a channel, so an ingest bridge skips it. */
  mirrorMark(channel: string, lineHash: string): string;
  /** SET of channels that some mirror writes to. */
  readonly mirroredChannels: string;
  readonly pubsubDeadLetters: string;
}

export function busKeys(prefix = ''): BusKeys {
  return {
    stream: (stream) => `${prefix}bus:${stream}`,
    deadLetters: (stream) => `${prefix}bus:${stream}:dlq`,
    streamRegistry: `${prefix}bus:streams`,
    inbox: (busId) => `${prefix}bus:inbox:${busId}`,
    mirrorMark: (channel, lineHash) => `${prefix}bus:mirrored:${channel}:${lineHash}`,
    mirroredChannels: `${prefix}bus:mirrored-channels`,
    pubsubDeadLetters: `${prefix}bus:pubsub:dlq`,
  };
}

/** Stream entry ids `<ms>-<seq>` compared numerically. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-');
  const [bm, bs] = b.split('-');
  const d = Number(am) - Number(bm);
  return d !== 0 ? d : Number(as) - Number(bs);
}
