import { similarNames as nearNames } from "@ccapi/core"

/** Up to `max` type names close to `name`: near spellings first, then types with the same resource part. */
export const similarNames = (name: string, known: ReadonlyArray<string>, max = 5): ReadonlyArray<string> => {
  const lower = name.toLowerCase()
  const near = nearNames(name, known, { max, tolerance: (length) => Math.max(2, Math.floor(length / 5)) })
  const suffix = lower.split("::").pop() ?? lower
  const sameResource = known.filter((k) => k.toLowerCase().endsWith(`::${suffix}`) && !near.includes(k))
  return [...near, ...sameResource].slice(0, max)
}
