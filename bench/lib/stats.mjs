// Summary statistics for a list of millisecond samples.

/** Median, min, max and count of the samples; undefined when there are none. */
export const summarize = (samples) => {
  const values = samples.filter((value) => Number.isFinite(value)).sort((a, b) => a - b)
  if (values.length === 0) return undefined
  const middle = Math.floor(values.length / 2)
  const median = values.length % 2 === 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
  return { median, min: values[0], max: values[values.length - 1], runs: values.length }
}

/** Milliseconds rendered for a table: three significant figures, no needless decimals. */
export const formatMs = (value) => {
  if (value === undefined || !Number.isFinite(value)) return "—"
  if (value >= 100) return value.toFixed(0)
  if (value >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

/** A byte count in MiB. */
export const formatMiB = (bytes) => (bytes === undefined ? "—" : (bytes / 1024 / 1024).toFixed(1))

/** ccapi / reference as a ratio string such as "0.12×", or a dash when either side is missing. */
export const ratio = (ours, reference) => {
  if (ours === undefined || reference === undefined || !Number.isFinite(ours) || !Number.isFinite(reference)) {
    return "—"
  }
  if (reference === 0) return "—"
  const value = ours / reference
  return `${value >= 10 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toFixed(3)}×`
}
