import * as crypto from "node:crypto"
import { Chunk, Effect, Layer, Random } from "effect"

const nextDouble = (): number => {
  const bytes = crypto.randomBytes(7)
  // 53 random bits → a double in [0, 1).
  const high = (bytes.readUInt32BE(0) >>> 11) * 2 ** 32
  const low = bytes.readUInt32BE(3)
  return (high + low) / 2 ** 53
}

const intBetween = (min: number, max: number): number => {
  const low = Math.ceil(min)
  const high = Math.ceil(max)
  if (high <= low) return low
  return high - low <= 2 ** 48 - 1 ? crypto.randomInt(low, high) : low + Math.floor(nextDouble() * (high - low))
}

/**
 * Effect's `Random` backed by the operating system's CSPRNG (node:crypto), so that workflow tokens, which core draws
 * from `Random`, cannot be predicted from earlier ones. Effect's default generator is seeded and not cryptographic.
 */
export const cryptoRandom: Random.Random = {
  [Random.RandomTypeId]: Random.RandomTypeId,
  next: Effect.sync(nextDouble),
  nextBoolean: Effect.sync(() => crypto.randomInt(0, 2) === 1),
  nextInt: Effect.sync(() => crypto.randomBytes(4).readInt32BE(0)),
  nextRange: (min, max) => Effect.sync(() => min + nextDouble() * (max - min)),
  nextIntBetween: (min, max) => Effect.sync(() => intBetween(min, max)),
  shuffle: <A>(elements: Iterable<A>) =>
    Effect.sync(() => {
      const items = Array.from(elements)
      for (let i = items.length - 1; i > 0; i--) {
        const j = crypto.randomInt(0, i + 1)
        const tmp = items[i]!
        items[i] = items[j]!
        items[j] = tmp
      }
      return Chunk.fromIterable(items)
    })
}

/** Installs the CSPRNG-backed `Random` for every effect run on a runtime built with it. */
export const layer = Layer.setRandom(cryptoRandom)
