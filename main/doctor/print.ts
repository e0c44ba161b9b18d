// The doctor's report for people: one line per check (ok / FAIL, name, what it found), the dialect
// and scope on top. The same report goes out as one JSON line with --json (the CLI decides).

import type { DoctorReport } from './checks.js';

export function printDoctorReport(report: DoctorReport): string {
  const lines = [`server:  ${report.server}`, `dialect: ${report.dialect ?? 'unknown (give --dialect 2019|2025)'}`];
  const width = Math.max(...report.checks.map((c) => c.name.length), 5);
  lines.push('');
  for (const check of report.checks) lines.push(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(width)}  ${check.detail}`);
  const failed = report.checks.filter((c) => !c.ok).length;
  lines.push('', failed === 0 ? `all ${report.checks.length} checks passed` : `${failed} of ${report.checks.length} checks failed: see docs/doctor.md for what each means and what to do`);
  return lines.join('\n');
}
