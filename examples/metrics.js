// Metrics for Prometheus (@lgalloc/core + prom-client): registerMetrics() adds gauges and
// counters to a prom-client registry; they read stats() when the registry is scraped.
// prom-client is an optional peer dependency: install it to use this (npm i prom-client).
"use strict";

const client = require("prom-client");
const { allocate, registerMetrics } = require("@lgalloc/core");

const registry = new client.Registry();
const metrics = registerMetrics({ registry });
console.log(`registered ${metrics.names.length} metrics`);

const regions = [allocate(2 ** 21), allocate(2 ** 21), allocate(2 ** 23)];
regions.pop().dispose();

// What a /metrics endpoint would serve; here only the lines of a few metrics.
registry.metrics().then((text) => {
  const wanted =
    /^(lgalloc_live_regions|lgalloc_regions\{state="in_use"|lgalloc_released_regions_total\{by="dispose"\})/;
  for (const line of text.split("\n")) if (wanted.test(line)) console.log(line);
  for (const region of regions) region.dispose();
  metrics.unregister();
});
