// Running compiled fixtures (test/src/fixtures/*.ts -> test/dist/fixtures/*.js): in a
// process of their own, for what must not happen inside mocha's process (exit, unbounded
// garbage), or as worker threads.

import { spawn } from "node:child_process";
import * as path from "node:path";

export interface FixtureResult {
  /** Exit code, or null when a signal ended the process. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  durationMs: number;
}

/** Absolute path of the compiled fixture `name` (without extension). */
export function fixturePath(name: string): string {
  return path.join(__dirname, "..", "fixtures", `${name}.js`);
}

/**
 * Runs fixture `name` as `node --expose-gc <fixture> ...args` (without --expose-gc when
 * `exposeGc` is false) with this process's environment plus `env` (so LGALLOC_BACKEND
 * carries over), and resolves when it exits.
 */
export function runFixture(
  name: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30000,
  { exposeGc = true }: { exposeGc?: boolean } = {},
): Promise<FixtureResult> {
  const started = Date.now();
  const flags = exposeGc ? ["--expose-gc"] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, fixturePath(name), ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`fixture ${name} ${args.join(" ")} timed out after ${timeoutMs} ms\n${stderr}`),
      );
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

/** The last line of `stdout` that parses as JSON (fixtures print their results that way). */
export function lastJson<T>(stdout: string): T {
  const lines = stdout.trim().split("\n").reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line) as T;
    } catch {
      // Not a result line.
    }
  }
  throw new Error(`no JSON result in the fixture's output:\n${stdout}`);
}

/** Runs `task` over `items` with at most `limit` at a time; results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  });
  await Promise.all(runners);
  return results;
}

/** Signs of a crash in a child's stderr: signals, aborts, sanitizer and V8 fatal reports. */
export const CRASH_PATTERN =
  /Segmentation fault|Aborted|core dumped|SIGSEGV|SIGABRT|SIGBUS|FATAL ERROR|Fatal error|terminate called|Assertion .* failed|LGALLOC_ASSERT|double free|heap-use-after-free|AddressSanitizer|ThreadSanitizer|\bBus error\b/;
