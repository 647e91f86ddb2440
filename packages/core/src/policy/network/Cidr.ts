/*
 * Address ranges as numbers: a CIDR in any spelling (IPv4 with leading zeros; IPv6 compressed or not, any case,
 * leading zeros, an embedded IPv4 tail) becomes an inclusive range of integers, and a set of ranges can be asked
 * whether together they cover the whole address space of their family.
 */

export type Family = "ipv4" | "ipv6"

export interface AddressRange {
  readonly family: Family
  readonly first: bigint
  readonly last: bigint
}

const bits: Record<Family, number> = { ipv4: 32, ipv6: 128 }

const parseIpv4 = (text: string): bigint | undefined => {
  const parts = text.split(".")
  if (parts.length !== 4) return undefined
  let out = 0n
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined
    const n = Number(part)
    if (n > 255) return undefined
    out = (out << 8n) | BigInt(n)
  }
  return out
}

const parseIpv6 = (text: string): bigint | undefined => {
  let head = text
  let tail: Array<number> = []
  const v4 = /(?:^|:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(head)
  if (v4 !== null) {
    const value = parseIpv4(v4[1]!)
    if (value === undefined) return undefined
    tail = [Number(value >> 16n), Number(value & 0xffffn)]
    head = head.slice(0, head.length - v4[1]!.length)
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1)
  }
  const halves = head.split("::")
  if (halves.length > 2) return undefined
  const groups = (part: string): Array<number> | undefined => {
    if (part === "") return []
    const out: Array<number> = []
    for (const g of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
      out.push(parseInt(g, 16))
    }
    return out
  }
  const left = groups(halves[0]!)
  const right = halves.length === 2 ? groups(halves[1]!) : []
  if (left === undefined || right === undefined) return undefined
  const given = left.length + right.length + tail.length
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined
  const all = [...left, ...Array<number>(8 - given).fill(0), ...right, ...tail]
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n)
}

/** The range of a CIDR (`10.0.0.0/8`, `::/0`, `0:0:0:0:0:0:0:0/0`, `::FFFF:0.0.0.0/96`), or `undefined`. */
export const parseCidr = (value: unknown): AddressRange | undefined => {
  if (typeof value !== "string") return undefined
  const text = value.trim()
  const slash = text.lastIndexOf("/")
  const address = slash === -1 ? text : text.slice(0, slash)
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1).trim()
  const family: Family = address.includes(":") ? "ipv6" : "ipv4"
  const parsed = family === "ipv4" ? parseIpv4(address.trim()) : parseIpv6(address.trim())
  if (parsed === undefined) return undefined
  const width = bits[family]
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined
  const prefix = prefixText === undefined ? width : Number(prefixText)
  if (prefix > width) return undefined
  const hostBits = BigInt(width - prefix)
  const first = (parsed >> hostBits) << hostBits
  return { family, first, last: first + (1n << hostBits) - 1n }
}

/** The ranges of one family together cover every address of it. */
export const coversWholeSpace = (ranges: ReadonlyArray<AddressRange>, family: Family): boolean => {
  const end = (1n << BigInt(bits[family])) - 1n
  const sorted = ranges
    .filter((r) => r.family === family)
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0))
  let next = 0n
  for (const range of sorted) {
    if (range.first > next) return false
    if (range.last + 1n > next) next = range.last + 1n
    if (next > end) return true
  }
  return false
}
