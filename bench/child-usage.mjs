// Preloaded (`node --import`) into a command the bench runs as a user would: at exit, writes the
// process's peak RSS and CPU time to the file named by CASEWORKER_BENCH_USAGE. Adds ~1 ms of start.
import fs from 'node:fs';

const out = process.env.CASEWORKER_BENCH_USAGE;
if (out) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    fs.writeFileSync(out, JSON.stringify({ maxRssBytes: usage.maxRSS * 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }));
  });
}
