/**
 * Fault injection: a share of requests throttled, failed with a 5xx, slowed down, or — after the request was handled
 * (a mutation applied) — answered with a dropped connection or a body that is not JSON.
 */
export interface FaultOptions {
  /** Share of requests (0–1) answered with a throttling error. */
  readonly throttleRate?: number | undefined
  /** Share of requests (0–1) answered with a 5xx internal error. */
  readonly errorRate?: number | undefined
  /** Share of requests (0–1) handled, then answered by closing the connection without a response. */
  readonly dropAfterRate?: number | undefined
  /** Share of requests (0–1) handled, then answered 200 with a body that is not JSON. */
  readonly malformedAfterRate?: number | undefined
  /** Added latency per request, in milliseconds. */
  readonly latencyMs?: number | undefined
  /** Seed of the generator that picks the faulty requests; the same seed gives the same sequence. */
  readonly seed?: number | undefined
}

export type Fault = "none" | "throttle" | "error" | "drop-after" | "malformed-after"

/** mulberry32: a small, fast, seedable generator. */
const generator = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const rate = (value: number | undefined, name: string): number => {
  const r = value ?? 0
  if (!(r >= 0 && r <= 1)) throw new RangeError(`faults.${name} must be between 0 and 1, got ${String(value)}`)
  return r
}

/** A deterministic fault picker: one draw per request. */
export const makeFaults = (options: FaultOptions = {}) => {
  const throttleRate = rate(options.throttleRate, "throttleRate")
  const errorRate = rate(options.errorRate, "errorRate")
  const dropRate = rate(options.dropAfterRate, "dropAfterRate")
  const malformedRate = rate(options.malformedAfterRate, "malformedAfterRate")
  const latencyMs = Math.max(0, options.latencyMs ?? 0)
  const next = generator(options.seed ?? 1)
  return {
    latencyMs,
    enabled: throttleRate > 0 || errorRate > 0 || dropRate > 0 || malformedRate > 0 || latencyMs > 0,
    next: (): Fault => {
      if (throttleRate === 0 && errorRate === 0 && dropRate === 0 && malformedRate === 0) return "none"
      const draw = next()
      let edge = throttleRate
      if (draw < edge) return "throttle"
      if (draw < (edge += errorRate)) return "error"
      if (draw < (edge += dropRate)) return "drop-after"
      if (draw < (edge += malformedRate)) return "malformed-after"
      return "none"
    }
  }
}
