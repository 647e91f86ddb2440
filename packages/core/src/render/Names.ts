/** Levenshtein distance, case-sensitive; callers lower-case when they want. */
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

/**
 * The known names a mistyped `name` is plausibly meant to be, nearest first: the same name in another case, then those
 * within `tolerance(name.length)` edits (case ignored). Used for "did you mean" hints in error messages.
 */
export const similarNames = (
  name: string,
  known: ReadonlyArray<string>,
  options: { readonly max?: number; readonly tolerance?: (length: number) => number } = {}
): ReadonlyArray<string> => {
  const lower = name.toLowerCase()
  const tolerance = options.tolerance ?? ((length: number) => Math.max(1, Math.floor(length / 4)))
  return known
    .map((candidate) => ({ candidate, d: distance(lower, candidate.toLowerCase()) }))
    .filter(({ d }) => d <= tolerance(name.length))
    .sort((a, b) => a.d - b.d || a.candidate.localeCompare(b.candidate))
    .slice(0, options.max ?? 5)
    .map(({ candidate }) => candidate)
}
