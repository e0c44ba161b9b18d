// The sync progress line on stderr (never stdout, which carries the JSON summary). On a terminal
// it redraws one line in place; otherwise it prints a line at most every half second and on each
// phase or group change, so logs and scripts watching stderr still see batches go by.

import type { SyncProgressEvent } from '../sync/run-sync.js';

const BAR_WIDTH = 24;
const LINE_INTERVAL_MS = 500;

export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): { update: (event: SyncProgressEvent) => void; end: () => void } {
  const tty = stream.isTTY === true;
  let lastKey = '';
  let lastAt = 0;
  let drawn = false;
  return {
    update(event) {
      const key = `${event.phase}:${event.group ?? ''}`;
      const now = Date.now();
      if (!tty && key === lastKey && now - lastAt < LINE_INTERVAL_MS && event.done !== event.total) return;
      lastKey = key;
      lastAt = now;
      const text = describe(event);
      if (tty) {
        stream.write(`\r\x1b[2K${text}`);
        drawn = true;
      } else {
        stream.write(`${text}\n`);
      }
    },
    end() {
      if (tty && drawn) stream.write('\n');
    },
  };
}

function describe(event: SyncProgressEvent): string {
  const size = `${(event.bytes / 1e6).toFixed(1)} MB`;
  const what = `${event.phase}${event.group ? ` ${event.group}` : ''}`;
  const unit = event.phase === 'dictionaries' ? 'tables' : event.phase === 'listing' ? 'requests' : 'records';
  if (event.total === null || event.total === 0) return `sync: ${what}  ${event.done} ${unit}  ${size}`;
  const fraction = Math.min(1, event.done / event.total);
  const filled = Math.round(fraction * BAR_WIDTH);
  return `sync: [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%  ${what}  ${event.done}/${event.total} ${unit}  ${size}`;
}
