import { z } from 'zod';

export const experimentRefSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  creator: z.string(),
  created: z.number(),
});

/** The experiment lifecycle (queued → started → commands → finished | failed | cancelled) and its commands. */
export const experimentEvents = {
  ExperimentQueued: {
    version: 1,
    description: 'An experiment was accepted from the queue or the API.',
    schema: z.object({ experiment: experimentRefSchema, instructions: z.string() }),
  },
  ExperimentStarted: {
    version: 1,
    description: 'The daemon started running an experiment.',
    schema: z.object({ id: z.string().min(1), start: z.number() }),
  },
  ExperimentCommandExecuted: {
    version: 1,
    description: 'One instruction line of a running experiment was executed.',
    schema: z.object({
      id: z.string().min(1),
      line: z.number().int().min(1),
      command: z.string(),
      result: z.unknown().optional(),
    }),
  },
  ExperimentFinished: {
    version: 1,
    description: 'An experiment ran to its end.',
    schema: z.object({ id: z.string().min(1), end: z.number() }),
  },
  ExperimentFailed: {
    version: 1,
    description: 'An experiment stopped with an error.',
    schema: z.object({ id: z.string().min(1), end: z.number(), reason: z.string() }),
  },
  ExperimentCancelled: {
    version: 1,
    description: 'An experiment was cancelled before or while running.',
    schema: z.object({ id: z.string().min(1), end: z.number().nullable(), reason: z.string() }),
  },
} as const;
