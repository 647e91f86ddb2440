import type { PolicyStatement, PrincipalEntry } from "./PolicyDocument.js"
import { conditionsPinCaller } from "./Conditions.js"
import { wildcardMatches } from "./Wildcards.js"

/*
 * Who a statement lets in. Public means anyone: the bare `"*"`; `AWS`, `CanonicalUser` or `Federated` entries whose
 * value is a wildcard (or a pattern matching any account, such as `arn:aws:iam::*:root`); or `Allow` with
 * `NotPrincipal` (everyone but the listed). `Service` principals are AWS services acting for their owners, not the
 * public (IAM User Guide, "AWS JSON policy elements: Principal", "NotPrincipal").
 */

const publicKinds = new Set(["*", "aws", "canonicaluser", "federated"])
const anyAccount = ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]

/** A principal value that admits any caller. */
export const isPublicValue = (value: string): boolean => {
  const text = value.trim()
  if (text === "*") return true
  return anyAccount.every((arn) => wildcardMatches(text, arn, { caseInsensitive: false }))
}

export const isPublicEntry = (entry: PrincipalEntry): boolean =>
  publicKinds.has(entry.kind.toLowerCase()) && isPublicValue(entry.value)

/** Why the statement is open to anyone, or `undefined` when it is not (or a condition pins the caller). */
export const publicAccessOf = (statement: PolicyStatement): string | undefined => {
  if (statement.effect !== "Allow" || statement.principals === undefined) return undefined
  const { negated, entries } = statement.principals
  let why: string | undefined
  if (negated)
    why = `it allows everyone except ${entries.map((e) => e.value).join(", ") || "nobody"} (Allow with NotPrincipal)`
  else {
    const open = entries.find(isPublicEntry)
    if (open !== undefined)
      why =
        open.kind === "*"
          ? 'it allows any principal ("*")'
          : `it allows any principal (${open.kind}: ${JSON.stringify(open.value)})`
  }
  if (why === undefined || conditionsPinCaller(statement.conditions)) return undefined
  return why
}
