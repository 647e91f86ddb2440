import { isJsonObject, type JsonObject, type JsonValue } from "@ccapi/core"

const unescape = (token: string): string => token.replace(/~1/g, "/").replace(/~0/g, "~")

/** Escape one JSON pointer token. */
export const escapeToken = (token: string): string => token.replace(/~/g, "~0").replace(/\//g, "~1")

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

/** A copy of `value` without what `pointer` names; `*` stands for every array item. */
export const removePointer = (value: JsonObject, pointer: string): JsonObject => {
  const tokens = pointer.split("/").slice(1).map(unescape)
  const result = removeAt(value, tokens)
  return isJsonObject(result) ? result : value
}
