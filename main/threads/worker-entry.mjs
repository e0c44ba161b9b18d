// Starts main/threads/worker.ts in a worker thread from source (the CLI, the browser host, vitest):
// tsx is registered here because a worker does not inherit the loader its parent registered.
// The packaged Electron app runs the esbuild bundle of worker.ts instead (no tsx there).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
