import { z } from 'zod';

/**
 * Load balancing: weights set by the lb-optimizer. A weight change travels as a GalileoEvent
 * named `weight_update` (subject `galileo.events.weight_update`, mirrored on pub/sub
 * `galileo/events` as `"<ts> weight_update <json>"`), with lb-opt's value (reference
 * osmotic-optimizers §4 "Data written"): `{"ts", "fn", "zone", "weights": {"ips", "weights"}}`.
 */
export const WEIGHT_UPDATE_EVENT = 'weight_update';

export const weightUpdateSchema = z.object({
  ts: z.number(),
  fn: z.string().min(1),
  zone: z.string().min(1),
  weights: z.object({
    ips: z.array(z.string().min(1)).min(1),
    weights: z.array(z.number().int().min(0)),
  }),
});
export type WeightUpdate = z.infer<typeof weightUpdateSchema>;

/** No event types of their own: weight updates are GalileoEvents (see above). */
export const balancingEvents = {} as const;
