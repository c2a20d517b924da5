// Growable typed vectors with LargeVec (@lgalloc/collections): push like an Array, read and
// write like a typed array. Small vectors live on the JS heap; from 2 MiB on they move into
// pooled regions, and growing from one region to the next swaps pages instead of copying.
"use strict";

const { LargeVec } = require("@lgalloc/collections");

// The element type is the typed array constructor; the default length is 0.
const prices = new LargeVec(Float64Array);
for (let i = 0; i < 1_000_000; i++) prices.push(100 + Math.sin(i / 1000));
console.log(`length ${prices.length}, storage ${prices.storage}, capacity ${prices.capacity}`);

// get/set check their index; at() counts from the end like Array#at.
prices.set(0, 99.5);
console.log(`first ${prices.get(0)}, last ${prices.at(-1).toFixed(4)}`);

// view() is a typed array over the elements, without a copy: use it for bulk work.
const view = prices.view();
let sum = 0;
for (let i = 0; i < view.length; i++) sum += view[i];
console.log(`mean ${(sum / view.length).toFixed(4)}`);

// A view is a fixed window: after the vector grows past its capacity it has length 0,
// so stale views can never show memory that moved away.
prices.reserve(prices.capacity);
console.log(`old view after growth: length ${view.length}`);

// Other element types, and vectors built from existing data.
const ids = LargeVec.from(BigUint64Array, [1n, 2n, 3n]);
ids.push(4n);
console.log(`${ids}`);

// dispose() gives the memory back now; garbage collection is only the backstop.
prices.dispose();
ids.dispose();
console.log(`disposed: ${prices.disposed}`);
