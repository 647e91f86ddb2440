import type { JsonValue } from "../../model/Json.js"
import type { ConditionEntry } from "./PolicyDocument.js"
import { hasWildcard } from "./Wildcards.js"

/*
 * Which conditions restrict who the caller is. A public principal is only acceptable when a condition pins the
 * caller (its account, organisation, ARN, network endpoint or source resource) to concrete values. Conditions are
 * ANDed, so one pinning condition is enough; anything else restricts nothing for this purpose:
 *
 * - a key that does not name the caller (aws:SecureTransport, aws:CurrentTime, s3:prefix, kms:ViaService, …);
 * - a negated operator (StringNotEquals, ArnNotLike, NotIpAddress): it excludes some callers and admits the rest;
 * - `…IfExists`: a caller whose request lacks the key (an anonymous caller has no aws:PrincipalArn, a direct call no
 *   aws:SourceArn) passes the test (IAM User Guide, "Condition operators", "…IfExists condition operators");
 * - `ForAllValues:`: true when the key is absent or empty ("Multivalued context keys");
 * - `Null`, `Bool`: they test presence or a flag, not who the caller is;
 * - a value that is a wildcard or a pattern matching any account (`*`, `arn:aws:*`, `arn:aws:iam::*:root`), or an
 *   address range wider than a /8 (IPv4) or /16 (IPv6).
 *
 * Sources: IAM User Guide, "AWS global condition context keys" (aws:SourceArn, aws:SourceAccount, aws:SourceOwner,
 * aws:SourceOrgID, aws:SourceOrgPaths, aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID,
 * aws:PrincipalOrgPaths, aws:SourceVpce, aws:SourceVpc, aws:SourceIp, aws:userid) and the AWS KMS Developer Guide
 * (kms:CallerAccount).
 */

type KeyKind = "account" | "arn" | "org" | "orgPath" | "vpc" | "ip" | "id"

/** Condition keys that name the caller, lower-case, with how a concrete value of each looks. */
export const callerKeys: ReadonlyMap<string, KeyKind> = new Map<string, KeyKind>([
  ["aws:sourcearn", "arn"],
  ["aws:sourceaccount", "account"],
  ["aws:sourceowner", "account"],
  ["aws:sourceorgid", "org"],
  ["aws:sourceorgpaths", "orgPath"],
  ["aws:principalarn", "arn"],
  ["aws:principalaccount", "account"],
  ["aws:principalorgid", "org"],
  ["aws:principalorgpaths", "orgPath"],
  ["aws:sourcevpce", "vpc"],
  ["aws:sourcevpc", "vpc"],
  ["aws:sourceip", "ip"],
  ["aws:userid", "id"],
  ["kms:calleraccount", "account"]
])

const pinningOperators = new Set([
  "stringequals",
  "stringequalsignorecase",
  "stringlike",
  "arnequals",
  "arnlike",
  "ipaddress"
])

/** The operator with its set prefix and `IfExists` suffix taken apart. */
export const parseOperator = (operator: string) => {
  let rest = operator.trim()
  let set: "ForAnyValue" | "ForAllValues" | undefined
  const prefix = /^(ForAnyValue|ForAllValues):/i.exec(rest)
  if (prefix !== null) {
    set = prefix[1]!.toLowerCase() === "foranyvalue" ? "ForAnyValue" : "ForAllValues"
    rest = rest.slice(prefix[0].length)
  }
  const ifExists = /IfExists$/i.test(rest)
  if (ifExists) rest = rest.slice(0, -"IfExists".length)
  return { base: rest.toLowerCase(), set, ifExists }
}

/**
 * An address range that names a network rather than a share of the internet: at least a /8 of IPv4 or a /16 of
 * IPv6 (a /1 is half of everyone). A bare address is a /32 or /128.
 */
const narrowCidr = (value: string): boolean => {
  if (hasWildcard(value)) return false
  const match = /\/\s*(\d+)\s*$/.exec(value)
  const ipv6 = value.includes(":")
  if (match === null) return value.trim() !== ""
  return Number(match[1]) >= (ipv6 ? 16 : 8)
}

/** A value that names particular callers: no wildcard, or (for Like operators) a wildcard only after a pinned prefix. */
export const concreteValue = (kind: KeyKind, value: JsonValue, like: boolean): boolean => {
  if (typeof value !== "string" && typeof value !== "number") return false
  const text = String(value).trim()
  if (text === "") return false
  if (kind === "ip") return narrowCidr(text)
  if (!hasWildcard(text)) return true
  if (!like) return false
  const fixed = text.slice(0, Math.min(...["*", "?"].map((c) => (text.includes(c) ? text.indexOf(c) : text.length))))
  switch (kind) {
    case "arn": {
      // arn:partition:service:region:account:… — the account (or the service-owned resource) must be fixed.
      const parts = fixed.split(":")
      return parts.length >= 6 && /^\d{12}$/.test(parts[4] ?? "")
    }
    case "orgPath":
      return /^o-[a-z0-9]{10,32}\/r-[a-z0-9]{4,32}\//.test(fixed)
    default:
      return false
  }
}

/** One condition pins the caller to concrete values. */
export const conditionPinsCaller = (entry: ConditionEntry): boolean => {
  const kind = callerKeys.get(entry.key.trim().toLowerCase())
  if (kind === undefined) return false
  const { base, set, ifExists } = parseOperator(entry.operator)
  if (ifExists || set === "ForAllValues" || !pinningOperators.has(base)) return false
  if (kind === "ip" && base !== "ipaddress") return false
  if (kind !== "ip" && base === "ipaddress") return false
  const like = base === "stringlike" || base === "arnlike"
  return entry.values.length > 0 && entry.values.every((v) => concreteValue(kind, v, like))
}

/** Some condition of a statement pins the caller (conditions are ANDed). */
export const conditionsPinCaller = (conditions: ReadonlyArray<ConditionEntry>): boolean =>
  conditions.some(conditionPinsCaller)
