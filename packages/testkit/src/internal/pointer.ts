import { isJsonObject, type JsonObject, type JsonValue } from "@ccapi/core"

const unescape = (token: string): string => token.replace(/~1/g, "/").replace(/~0/g, "~")

/** Tokens of a property pointer: `/properties/A/*\/B` and `/A/*\/B` both give `["A", "*", "B"]`. */
export const tokensOf = (pointer: string): ReadonlyArray<string> =>
  pointer
    .replace(/^\/properties(?=\/|$)/, "")
    .split("/")
    .slice(1)
    .map(unescape)

const removeAt = (node: JsonValue, tokens: ReadonlyArray<string>): JsonValue => {
  const [head, ...rest] = tokens
  if (head === undefined) return node
  if (head === "*" && Array.isArray(node)) return node.map((item: JsonValue) => removeAt(item, rest))
  if (!isJsonObject(node) || !(head in node)) return node
  if (rest.length === 0) {
    const { [head]: _removed, ...kept } = node
    return kept
  }
  return { ...node, [head]: removeAt(node[head]!, rest) }
}

/** A copy of `value` without what the schema pointer names (`*` = every array item). */
export const removePointer = (value: JsonObject, pointer: string): JsonObject => {
  const result = removeAt(value, tokensOf(pointer))
  return isJsonObject(result) ? result : value
}

const collect = (node: JsonValue | undefined, tokens: ReadonlyArray<string>): ReadonlyArray<JsonValue | undefined> => {
  const [head, ...rest] = tokens
  if (head === undefined) return [node]
  if (head === "*") return Array.isArray(node) ? node.flatMap((item: JsonValue) => collect(item, rest)) : []
  if (Array.isArray(node) && /^\d+$/.test(head)) return collect(node[Number(head)], rest)
  return collect(isJsonObject(node) ? node[head] : undefined, rest)
}

/** Every value the schema pointer names (`undefined` where a path is absent). */
export const valuesAt = (value: JsonObject, pointer: string): ReadonlyArray<JsonValue | undefined> =>
  collect(value, tokensOf(pointer))
