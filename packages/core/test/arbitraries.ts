import { Arbitrary, Schema } from "effect"
import type { JsonValue } from "../src/model/Json.js"

/*
 * Property-test generators the tests share, built on Effect's `Arbitrary`: what a Schema can describe comes from
 * `Arbitrary.schema`, the rest (choices between generators, bounded recursion, dictionaries) is composed here.
 */

/** Integers from `minimum` to `maximum`, both included. */
export const intBetween = (minimum: number, maximum: number): Arbitrary.Arbitrary<number> =>
  Arbitrary.schema(Schema.Int.check(Schema.isBetween({ minimum, maximum })))

/** Integers from 0 to 2^31 - 1. */
export const nat: Arbitrary.Arbitrary<number> = intBetween(0, 0x7fffffff)

export const boolean: Arbitrary.Arbitrary<boolean> = Arbitrary.schema(Schema.Boolean)

/** Printable strings (and Effect's edge cases) of at most `maxLength` UTF-16 units. */
export const string = (options: { readonly minLength?: number; readonly maxLength: number }) =>
  Arbitrary.schema(Schema.String.check(Schema.isBetweenLength(options.minLength ?? 0, options.maxLength)))

/** Strings of at most `maxLength` Unicode code points, any code point but a lone surrogate. */
export const unicodeString = (options: { readonly maxLength: number }): Arbitrary.Arbitrary<string> =>
  Arbitrary.array(
    Arbitrary.schema(
      Schema.Union([
        Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 0xd7ff })),
        Schema.Int.check(Schema.isBetween({ minimum: 0xe000, maximum: 0x10ffff }))
      ])
    ),
    { maxLength: options.maxLength }
  ).pipe(Arbitrary.map((codePoints) => String.fromCodePoint(...codePoints)))

/** A value from one of the generators, each chosen equally often. */
export const oneOf = <A>(...choices: ReadonlyArray<Arbitrary.Arbitrary<A>>): Arbitrary.Arbitrary<A> =>
  Arbitrary.flatMap(intBetween(0, choices.length - 1), (i) => choices[i]!)

/** One of the given values. */
export const constantFrom = <const A>(...values: ReadonlyArray<A>): Arbitrary.Arbitrary<A> =>
  oneOf(...values.map((value) => Arbitrary.Constant(value)))

/** Objects of at most `maxKeys` keys (fewer when keys repeat), each key and value from its generator. */
export const dictionary = <V>(
  key: Arbitrary.Arbitrary<string>,
  value: Arbitrary.Arbitrary<V>,
  options: { readonly maxKeys: number }
): Arbitrary.Arbitrary<Record<string, V>> =>
  Arbitrary.array(Arbitrary.all([key, value]), { maxLength: options.maxKeys }).pipe(
    Arbitrary.map((entries) => Object.fromEntries(entries))
  )

/** Arrays of at most `maxLength` items whose `selector` values are all different (later repeats are dropped). */
export const uniqueArray = <A>(
  item: Arbitrary.Arbitrary<A>,
  options: { readonly maxLength: number; readonly selector: (a: A) => unknown }
): Arbitrary.Arbitrary<Array<A>> =>
  Arbitrary.array(item, { maxLength: options.maxLength }).pipe(
    Arbitrary.map((items) => {
      const seen = new Set<unknown>()
      return items.filter((a) => {
        const k = options.selector(a)
        if (seen.has(k)) return false
        seen.add(k)
        return true
      })
    })
  )

/** Some of `values`, in their order. */
export const subarray = <A>(values: ReadonlyArray<A>): Arbitrary.Arbitrary<Array<A>> =>
  Arbitrary.array(boolean, { minLength: values.length, maxLength: values.length }).pipe(
    Arbitrary.map((keep) => values.filter((_, i) => keep[i]))
  )

/**
 * JSON values: one of `leaves`, or an array (at most 4 items) or object (at most 4 keys from `key`) of JSON values,
 * nested at most `depth` levels.
 */
export const jsonValue = (options: {
  readonly leaves: ReadonlyArray<Arbitrary.Arbitrary<JsonValue>>
  readonly key: Arbitrary.Arbitrary<string>
  readonly depth?: number
}): Arbitrary.Arbitrary<JsonValue> => {
  let value = oneOf(...options.leaves)
  for (let level = 0; level < (options.depth ?? 3); level++) {
    const inner = value
    value = oneOf<JsonValue>(
      ...options.leaves,
      Arbitrary.array(inner, { maxLength: 4 }),
      dictionary(options.key, inner, { maxKeys: 4 })
    )
  }
  return value
}
