import { Effect, Random } from "effect"

/**
 * Effect's seeded generator as a plain object, for test data drawn outside an Effect: the same seed gives the same
 * sequence, so a failing test replays. Not cryptographic.
 */
export const seededRandom = (seed: number): Random.Random =>
  Effect.runSync(Effect.service(Random.Random).pipe(Random.withSeed(seed)))
