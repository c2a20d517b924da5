// Helpers of the type tests: `expectType<T>()(value)` compiles only when the value's type
// is exactly T (not merely assignable), so an inference that widens to `any` or narrows
// to a subtype fails.

/** True when A and B are the same type. */
export type Equal<A, B> =
  (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/** `expectType<number>()(x)`: a compile error unless `x` is exactly a number. */
export function expectType<Expected>() {
  return <Actual>(_value: Actual & (Equal<Actual, Expected> extends true ? unknown : never)) => {};
}
