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

export const reportsChannels = {
  /** Rows keyed by the dimension (and metric) plus `count`; a `null` key holds records without a value. */
  'reports:run': {
    input: z.strictObject({ path: reportPath }),
    output: z.object({
      dimension: z.string(),
      metric: z.string().nullable(),
      rows: z.array(reportRow),
    }),
  },
  /** The report as a file to save. */
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
      dataBase64: z.string(),
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
