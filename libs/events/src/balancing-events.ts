/** Load balancing: weights set by the lb-optimizer. */
export const balancingEvents = {} as const;
