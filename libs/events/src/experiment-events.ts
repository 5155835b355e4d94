import { z } from 'zod';
import { encodeToken } from './subject.js';

export const experimentRefSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  creator: z.string(),
  /** Epoch seconds (galileo's float). */
  created: z.number(),
});
export type ExperimentRef = z.infer<typeof experimentRefSchema>;

/** How an experiment arrived: galileo's two queue message forms, or a message that could not be read. */
export const experimentFormSchema = z.enum(['instructions', 'configuration', 'unreadable']);

/**
 * The experiment lifecycle (queued → started → each command issued and acknowledged → finished |
 * failed | cancelled) and the command that cancels one. The experiment's state is the fold of
 * these events (services/experiment-daemon, lifecycle/); the `experiments` table is a projection.
 * Subjects: `galileo.experiments.<id>.<event>` (`experimentSubjects`), all in the stream
 * `galileo.experiments`, so one experiment's events stay in order.
 */
export const experimentEvents = {
  ExperimentQueued: {
    version: 2,
    description:
      'An experiment was accepted from the queue (or the API): its id, name, creator, creation time and the instructions it will run.',
    schema: z.object({
      experiment: experimentRefSchema,
      /** The instruction text; for the configuration form, its translation. Empty for an unreadable message. */
      instructions: z.string(),
      form: experimentFormSchema,
      /** The `configuration` of the configuration form, as received. */
      configuration: z.unknown().optional(),
      /** The daemon that accepted it. */
      daemon: z.string().nullable(),
    }),
  },
  ExperimentStarted: {
    version: 2,
    description: 'A daemon started running an experiment.',
    schema: z.object({ id: z.string().min(1), start: z.number(), daemon: z.string().min(1) }),
  },
  ExperimentCommandIssued: {
    version: 1,
    description: 'A running experiment sent one instruction (line) to its workers.',
    schema: z.object({
      id: z.string().min(1),
      line: z.number().int().min(1),
      /** The instruction as written. */
      command: z.string(),
      /** The instruction word (spawn, rps, sleep, …). */
      kind: z.string().min(1),
    }),
  },
  ExperimentCommandAcknowledged: {
    version: 1,
    description:
      'The instruction issued last was carried out (every worker it addressed answered); `result` is what it returned.',
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
    description:
      'An experiment stopped with an error (bad input, a worker that did not answer, a daemon that died).',
    schema: z.object({ id: z.string().min(1), end: z.number(), reason: z.string() }),
  },
  ExperimentCancelled: {
    version: 1,
    description: 'An experiment was cancelled before or while running.',
    schema: z.object({ id: z.string().min(1), end: z.number().nullable(), reason: z.string() }),
  },
  CancelExperiment: {
    version: 1,
    description:
      'Command to the experiment daemons: cancel a queued experiment (removed from the queue) or stop a running one (rate 0, groups closed). The reply is a CancelOutcome.',
    schema: z.object({ id: z.string().min(1), reason: z.string().optional() }),
  },
} as const;

/** What a daemon answers to CancelExperiment. */
export type CancelOutcome =
  | { cancelled: true; id: string; was: 'queued' | 'running'; daemon: string }
  | { cancelled: false; id: string; reason: string; daemon: string };

/** The lifecycle event types, in order, with the subject token each is published under. */
export const experimentLifecycleTokens = {
  ExperimentQueued: 'queued',
  ExperimentStarted: 'started',
  ExperimentCommandIssued: 'command-issued',
  ExperimentCommandAcknowledged: 'command-acknowledged',
  ExperimentFinished: 'finished',
  ExperimentFailed: 'failed',
  ExperimentCancelled: 'cancelled',
} as const;
export type ExperimentLifecycleType = keyof typeof experimentLifecycleTokens;

export const experimentSubjects = {
  /** `galileo.experiments.<id>.<queued|started|…>`: one experiment's lifecycle. */
  lifecycle: (id: string, type: ExperimentLifecycleType) =>
    `galileo.experiments.${encodeToken(id)}.${experimentLifecycleTokens[type]}`,
  /** Every lifecycle event of every experiment. */
  allLifecycle: 'galileo.experiments.>',
  /** The stream that holds every lifecycle event. */
  lifecycleStream: 'galileo.experiments',
  /** Commands to the experiment daemons (in the stream `galileo.commands`). */
  cancel: 'galileo.commands.experiments.cancel',
} as const;
