/** Scaling and placement: pod lifecycle and pod-creation jobs. */
export const scalingEvents = {} as const;
