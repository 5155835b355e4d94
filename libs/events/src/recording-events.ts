/** Telemetry agent and recorder events (node infos, recorder lifecycle). */
export const recordingEvents = {} as const;
