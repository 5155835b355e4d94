/**
 * Calls `beat` every `intervalMs` (the first one after one interval: registration sets the
 * heartbeat). A failed beat is reported and the loop goes on; a beat never overlaps the previous.
 */
export function startHeartbeat(options: {
  intervalMs: number;
  beat: () => Promise<void>;
  onError: (error: unknown) => void;
}): { stop(): Promise<void> } {
  let running = true;
  let current: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    current = current.then(async () => {
      if (!running) return;
      try {
        await options.beat();
      } catch (e) {
        options.onError(e);
      }
    });
  }, options.intervalMs);
  return {
    async stop() {
      running = false;
      clearInterval(timer);
      await current;
    },
  };
}

/** A worker's heartbeat key lives this many intervals: it disappears within three periods of a crash. */
export const HEARTBEAT_TTL_INTERVALS = 3;
