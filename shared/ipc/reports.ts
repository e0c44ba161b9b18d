// Report channels: a dimension × metric report of the API's grammar answered from the replica,
// exported as CSV, XLSX, PDF or JSON; and the reports a worker saved by name.

import { z } from 'zod';
import { LIMITS, isoInstant, personName, reportPath, serverId } from './fields.js';

export const REPORT_FORMATS = ['csv', 'xlsx', 'pdf', 'json'] as const;

export const reportRow = z.looseObject({ count: z.number().int().nonnegative() }).catchall(z.union([z.string(), z.number(), z.null()]));

export const savedReport = z.object({
  id: serverId,
  name: z.string(),
  path: z.string(),
  createdAt: isoInstant,
});

/** Travel time and mileage totals of one report row (contacts only); beside the rows, never in them. */
export const reportSums = z.record(z.string(), z.number());

/** How fresh and complete the replica is: always shown next to the figures. */
export const replicaFreshness = z.object({
  lastSyncedAt: z.string().nullable(),
  scoped: z.boolean(),
  note: z.string(),
});

/** One report row whose count differs between this device and the server. */
export const reportDifference = z.object({
  /** The row's dimension (and metric) values, as ids. */
  key: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  local: z.number().int().nonnegative(),
  server: z.number().int().nonnegative(),
  /** server − local. */
  difference: z.number().int(),
});

export const reportsChannels = {
  /**
   * Rows keyed by the dimension (and metric) plus `count`, exactly as the server shapes them (a
   * `null` key holds records without a value); names for the ids; sums aligned with rows when asked
   * (due and done contacts only, else VALIDATION); and how fresh the replica is.
   */
  'reports:run': {
    input: z.strictObject({ path: reportPath, sums: z.boolean().optional() }),
    output: z.object({
      dimension: z.string(),
      metric: z.string().nullable(),
      rows: z.array(reportRow),
      /** Per column (dimension / metric): id → dictionary name. */
      names: z.record(z.string(), z.record(z.string(), z.string())),
      /** Aligned with rows: `{travel_time, travel_mileage}` totals; null when not asked for. */
      sums: z.array(reportSums).nullable(),
      replicaFreshness,
    }),
  },
  /** The same report asked of the server (the current connection, or the demo's simulator), row by row. */
  'reports:compare': {
    input: z.strictObject({ path: reportPath }),
    output: z.object({
      path: z.string(),
      matches: z.boolean(),
      differences: z.array(reportDifference),
      /** Plain sentences: why the figures differ (scoped, stale, unsent edits) or that they agree. */
      explanation: z.string(),
      serverTotal: z.number().int().nonnegative(),
      localTotal: z.number().int().nonnegative(),
      replicaFreshness,
    }),
  },
  /**
   * The report as a file to save: the browser host answers with the bytes (the page downloads
   * them); the desktop app saves it in main after its save dialog and answers with the path
   * (null when the person cancelled), without the bytes.
   */
  'reports:export': {
    input: z.strictObject({
      path: reportPath,
      format: z.enum(REPORT_FORMATS),
      /** Add row and column totals. */
      sums: z.boolean().optional(),
      title: z.string().max(LIMITS.shortText).optional(),
    }),
    output: z.object({
      filename: z.string(),
      contentType: z.string(),
      dataBase64: z.string().optional(),
      savedPath: z.string().nullable().optional(),
    }),
  },
  'reports:saved-list': {
    input: z.strictObject({}),
    output: z.object({ reports: z.array(savedReport) }),
  },
  'reports:save': {
    input: z.strictObject({ name: personName, path: reportPath }),
    output: savedReport,
  },
  'reports:delete-saved': {
    input: z.strictObject({ id: serverId }),
    output: z.object({ id: serverId }),
  },
} as const;
