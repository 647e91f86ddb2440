const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

/** Up to `max` names close to `name`: same spelling in another case, then the nearest by edit distance. */
export const similarNames = (name: string, known: ReadonlyArray<string>, max = 5): ReadonlyArray<string> => {
  const lower = name.toLowerCase()
  const scored = known
    .map((candidate) => ({ candidate, d: distance(lower, candidate.toLowerCase()) }))
    .filter(({ d }) => d <= Math.max(2, Math.floor(name.length / 5)))
    .sort((a, b) => a.d - b.d || a.candidate.localeCompare(b.candidate))
  const suffix = lower.split("::").pop() ?? lower
  const sameResource = known.filter(
    (k) => k.toLowerCase().endsWith(`::${suffix}`) && !scored.some((s) => s.candidate === k)
  )
  return [...scored.map((s) => s.candidate), ...sameResource].slice(0, max)
}
