/** The injected clock: every service, loop and ladder step reads time through one (tests drive it). */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
