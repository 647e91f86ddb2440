/*
 * IAM's wildcard matching: `*` matches any run of characters (colons and slashes included), `?` matches one
 * character, everything else matches itself. Action names match case-insensitively, ARNs and condition values
 * case-sensitively (IAM User Guide, "IAM JSON policy elements: Action" and "Resource").
 *
 * The matcher walks text and pattern once, going back only to the last `*` seen: at most O(pattern × text) steps,
 * whatever a hostile pattern looks like (no regular expression, so no exponential backtracking).
 */

/** `text` is matched by the IAM wildcard `pattern`. */
export const wildcardMatches = (
  pattern: string,
  text: string,
  options: { readonly caseInsensitive: boolean }
): boolean => {
  const p = options.caseInsensitive ? pattern.toLowerCase() : pattern
  const t = options.caseInsensitive ? text.toLowerCase() : text
  let pi = 0
  let ti = 0
  let star = -1
  let resume = 0
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === "?" || (p[pi] !== "*" && p[pi] === t[ti]))) {
      pi += 1
      ti += 1
    } else if (pi < p.length && p[pi] === "*") {
      star = pi
      resume = ti
      pi += 1
    } else if (star !== -1) {
      pi = star + 1
      resume += 1
      ti = resume
    } else return false
  }
  while (pi < p.length && p[pi] === "*") pi += 1
  return pi === p.length
}

/** An action name (`iam:PassRole`) is matched by an action pattern (`IAM:pass*`): case-insensitive. */
export const actionMatches = (pattern: string, action: string) =>
  wildcardMatches(pattern.trim(), action, { caseInsensitive: true })

/** An ARN is matched by a resource pattern: case-sensitive. */
export const resourceMatches = (pattern: string, arn: string) =>
  wildcardMatches(pattern, arn, { caseInsensitive: false })

/** The value holds a wildcard character. */
export const hasWildcard = (value: string) => value.includes("*") || value.includes("?")
