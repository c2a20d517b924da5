// Type tests of the metrics API: a prom-client Registry is accepted as the registry
// (@lgalloc/core declares only the members it uses, so that its types do not depend on
// prom-client), and formatStats takes the Stats of stats().

import { Registry, register } from "prom-client";
import { formatStats, registerMetrics, stats, type RegisteredMetrics } from "@lgalloc/core";
import { expectType } from "./expect";

expectType<RegisteredMetrics>()(registerMetrics({ registry: new Registry() }));
registerMetrics({ registry: register, hugePages: true });
registerMetrics();
expectType<readonly string[]>()(registerMetrics().names);
expectType<string>()(formatStats(stats()));
expectType<string>()(formatStats());

// @ts-expect-error hugePages is a boolean
registerMetrics({ hugePages: 1 });
// @ts-expect-error an object without registerMetric is not a registry
registerMetrics({ registry: {} });
// @ts-expect-error formatStats takes a Stats object
formatStats({ mappedBytes: 0 });
