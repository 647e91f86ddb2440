import * as crypto from "node:crypto"
import { Layer, Random } from "effect"

/** 53 random bits from `bytes` (the first 7): an integer in [0, 2^53). */
const bits53 = (bytes: Buffer): number => (bytes.readUInt32BE(0) >>> 11) * 2 ** 32 + bytes.readUInt32BE(3)

/** A double in [0, 1), each of its 2^53 values equally likely. */
const nextDouble = (): number => bits53(crypto.randomBytes(7)) / 2 ** 53

/** A safe integer, from -(2^53 - 1) to 2^53 - 1, each equally likely (a magnitude and a sign; -0 is drawn again). */
const nextSafeInteger = (): number => {
  for (;;) {
    const bytes = crypto.randomBytes(8)
    const magnitude = bits53(bytes)
    const negative = (bytes.readUInt8(7) & 1) === 1
    if (!negative) return magnitude
    if (magnitude !== 0) return -magnitude
  }
}

/**
 * Effect's `Random` backed by the operating system's CSPRNG (node:crypto), so that workflow tokens, which core draws
 * from `Random`, cannot be predicted from earlier ones. Effect's default generator (`Math.random`) is not
 * cryptographic. Effect derives every `Random` operation (`next`, `nextIntBetween`, `shuffle`, …) from these two.
 */
export const cryptoRandom: Random.Random = {
  nextIntUnsafe: nextSafeInteger,
  nextDoubleUnsafe: nextDouble
}

/** Installs the CSPRNG-backed `Random` for every effect run on a runtime built with it. */
export const layer = Layer.succeed(Random.Random, cryptoRandom)
