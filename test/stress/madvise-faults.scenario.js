// madvise refused, regions mlocked, huge pages unavailable: real faults at the syscall
// boundary, from an LD_PRELOAD shim (test/stress/shim/syscall-faults.c) that fails only the
// lgalloc addon's own calls, so the production code runs unchanged. Each mode runs the churn
// of madvise-faults.child.js (three threads, the background worker every 2 ms, eager return
// switched on and off, trims) in a child process, then checks:
// - exactly one warning line on stderr per kind of refusal, and none for a kind not refused;
// - stats() counting the failures: `hugePageAdviceFailed`, and `madviseFailures` equal to the
//   refusals the shim injected (or the kernel made, for locked pages);
// - the pools consistent: allocations = deallocations, every region of every area pooled,
//   one MADV_HUGEPAGE per area ever mapped;
// - no region handed out twice or dirty after `allocate`, held regions' data intact, and
//   allocation working at the end (and, once the refusals stop, every dirty region cleaned).
// Native backend only.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");
const core = require("@lgalloc/core");
const support = require("./support");
const { shimEnv, readShimReport } = require("./shim");

const EINVAL = 22;
const EAGAIN = 11;
const CHILD = path.join(__dirname, "madvise-faults.child.js");

const WARNINGS = {
  hugePage: /^lgalloc: madvise\(MADV_HUGEPAGE\) failed \(errno (\d+)\)/,
  free: /^lgalloc: madvise\(MADV_FREE\) failed \(errno (\d+)\)/,
  dontNeed: /^lgalloc: madvise\(MADV_DONTNEED\) failed \(errno (\d+)\)/,
};

/**
 * The modes: the shim's settings, the warnings each must print once (kind -> errno), and
 * `refusals(shim)`: how many clears stats must count as failed, from the shim's report.
 */
const MODES = [
  {
    name: "huge pages unavailable (MADV_HUGEPAGE: EINVAL)",
    settings: { LGALLOC_SHIM_HUGEPAGE: "EINVAL" },
    warnings: { hugePage: EINVAL },
    refusals: () => 0,
  },
  {
    name: "MADV_FREE and MADV_DONTNEED refused (EAGAIN), THP unavailable",
    settings: { LGALLOC_SHIM_HUGEPAGE: "EINVAL", LGALLOC_SHIM_CLEAR: "EAGAIN" },
    warnings: { hugePage: EINVAL, free: EAGAIN, dontNeed: EAGAIN },
    // EAGAIN has no fallback: one refused call is one counted failure.
    refusals: (shim) => shim.freeFailed + shim.dontneedFailed,
  },
  {
    // EINVAL for MADV_FREE makes the core retry with MADV_DONTNEED (kernels before 4.5),
    // which the shim refuses as well: two refused calls, one failure.
    name: "MADV_FREE/DONTNEED refused 400 times (EINVAL), then accepted",
    settings: { LGALLOC_SHIM_CLEAR: "EINVAL:400" },
    warnings: { free: EINVAL, dontNeed: EINVAL },
    // Eager return may or may not meet the refusals before they run out.
    optional: ["dontNeed"],
    // A refused pair (MADV_FREE, then MADV_DONTNEED) and a refused eager MADV_DONTNEED are
    // one failure each; a pair whose MADV_DONTNEED got through (the budget ran out between
    // the two) is none. So failures = refused MADV_DONTNEED calls, exactly.
    refusals: (shim) => shim.dontneedFailed,
    recover: true,
  },
  {
    // The real kernel refuses: every area lgalloc maps is mlocked (MLOCK_ONFAULT) at once.
    name: "regions mlocked: the kernel refuses MADV_FREE/DONTNEED",
    settings: { LGALLOC_SHIM_MLOCK: "1" },
    warnings: { free: EINVAL, dontNeed: EINVAL },
    refusals: null,
  },
];

function runChild(mode, seconds) {
  const reportFile = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), "lgalloc-madvise-")),
    "shim.json",
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, String(seconds), mode.recover ? "1" : "0"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: shimEnv({ ...mode.settings, LGALLOC_SHIM_REPORT: reportFile }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), (seconds + 60) * 1000);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      let result;
      try {
        result = JSON.parse(stdout.trim().split("\n").pop());
      } catch {
        result = undefined;
      }
      resolve({ status, signal, stderr, result, shim: readShimReport(reportFile) });
      fs.rmSync(path.dirname(reportFile), { recursive: true, force: true });
    });
  });
}

/** What is wrong with one mode's run, as notes (empty: nothing). */
function check(mode, { status, signal, stderr, result, shim }) {
  const problems = [];
  if (signal !== null || status !== 0 || result === undefined || shim === undefined) {
    const tail = stderr.trim().split("\n").slice(-3).join(" | ");
    return [`exited ${signal ?? status}${shim ? "" : ", no shim report"}: ${tail}`];
  }
  const lines = stderr.split("\n");
  for (const [kind, pattern] of Object.entries(WARNINGS)) {
    const found = lines.map((line) => pattern.exec(line)).filter(Boolean);
    const want = mode.warnings[kind];
    if (want === undefined && found.length > 0) {
      problems.push(`${found.length} ${kind} warnings where none was refused`);
    } else if (want !== undefined && found.length === 0 && (mode.optional ?? []).includes(kind)) {
      continue;
    } else if (want !== undefined && found.length !== 1) {
      problems.push(`${found.length} ${kind} warnings, expected exactly 1`);
    } else if (want !== undefined && Number(found[0][1]) !== want) {
      problems.push(`the ${kind} warning names errno ${found[0][1]}, expected ${want}`);
    }
  }
  const { stats, before } = result;
  const totals = stats.totals;
  const failures = before.totals.madviseFailures;
  if (stats.hugePageAdviceFailed !== (mode.warnings.hugePage !== undefined)) {
    problems.push(`hugePageAdviceFailed is ${stats.hugePageAdviceFailed}`);
  }
  if (shim.hugepageCalls !== totals.areas + totals.trimmedAreas) {
    problems.push(
      `${shim.hugepageCalls} MADV_HUGEPAGE calls for ${totals.areas + totals.trimmedAreas} areas mapped`,
    );
  }
  if (mode.refusals !== null) {
    const refused = mode.refusals(shim);
    if (failures !== refused) problems.push(`madviseFailures ${failures}, refused ${refused}`);
  } else if (shim.lockedMappings === 0 || shim.lockFailures !== 0) {
    problems.push(
      `${shim.lockedMappings} mappings locked, ${shim.lockFailures} refused (errno ` +
        `${shim.lockErrno}; mlock needs root or an RLIMIT_MEMLOCK of several GiB)`,
    );
  }
  if (mode.warnings.free !== undefined && failures === 0)
    problems.push("no madvise failure counted");
  if (totals.allocations !== totals.deallocations) {
    problems.push(`allocations ${totals.allocations} != deallocations ${totals.deallocations}`);
  }
  if (stats.liveRegions !== 0) problems.push(`${stats.liveRegions} regions still live`);
  for (const c of stats.sizeClasses) {
    if (c.areas > 0 && c.freeRegions !== c.areaTotalBytes / c.regionBytes) {
      problems.push(
        `class ${c.regionBytes}: ${c.freeRegions} regions pooled of ${c.areaTotalBytes / c.regionBytes}`,
      );
    }
  }
  if (!result.allocatesAfter) problems.push("allocation failed or returned dirty pages at the end");
  if (mode.recover && !result.cleanedAll) {
    problems.push(`${before.totals.globalRegions} regions still dirty once the refusals stopped`);
  }
  return problems.concat(result.notes);
}

support.run(async () => {
  const { seconds } = support.options();
  if (core.backendKind() !== "native") {
    support.report({ operations: 0, notes: [], skipped: true });
    return;
  }
  const perMode = Math.max(1, seconds / MODES.length);
  let operations = 0;
  let faults = 0;
  let expected = 0;
  let lost = 0;
  let unexpected = 0;
  let peakRss = 0;
  const notes = [];
  for (const mode of MODES) {
    const run = await runChild(mode, perMode);
    const problems = check(mode, run);
    if (run.result !== undefined) {
      operations += run.result.operations;
      lost += run.result.lost + run.result.notZero;
      peakRss = Math.max(peakRss, run.result.peakRss);
      const failures = run.result.before.totals.madviseFailures;
      expected += failures + (run.result.stats.hugePageAdviceFailed ? run.shim.hugepageFailed : 0);
    }
    if (run.shim !== undefined) {
      // Refused calls: the shim's, and for locked pages the kernel's (counted by stats).
      const injected = run.shim.hugepageFailed + run.shim.freeFailed + run.shim.dontneedFailed;
      faults += injected > 0 ? injected : (run.result?.before.totals.madviseFailures ?? 0);
    }
    if (problems.length > 0) {
      unexpected += problems.length;
      notes.push(`${mode.name}: ${problems.slice(0, 4).join("; ")}`);
    }
  }
  support.report({
    operations,
    faults,
    expected,
    unexpected,
    lost,
    notes,
    peakRss,
    rssBound: 2 * 2 ** 30,
  });
});
