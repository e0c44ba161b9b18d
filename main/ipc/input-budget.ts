// A cheap walk over an input before any schema sees it: bounded depth, node count and characters,
// so a deeply nested, cyclic or enormous value (structured clone allows cycles) is refused with
// VALIDATION instead of costing the main process time or stack.

export interface InputBudget {
  maxDepth: number;
  maxNodes: number;
  /** Characters of all strings and keys together. */
  maxChars: number;
}

export const DEFAULT_INPUT_BUDGET: InputBudget = {
  maxDepth: 24,
  maxNodes: 50_000,
  // Five 10 MB files in base64 plus room for the rest of the form.
  maxChars: 72 * 1024 * 1024,
};

/** Null when the input fits; otherwise a sentence saying what was too much. */
export function overBudget(value: unknown, budget: InputBudget = DEFAULT_INPUT_BUDGET): string | null {
  let nodes = 0;
  let chars = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: node, depth } = stack.pop()!;
    if (++nodes > budget.maxNodes) return `the input has more than ${budget.maxNodes} values`;
    if (typeof node === 'string') {
      chars += node.length;
      if (chars > budget.maxChars) return 'the input is too large';
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth >= budget.maxDepth) return `the input is nested more than ${budget.maxDepth} levels deep`;
    if (ArrayBuffer.isView(node)) {
      chars += node.byteLength;
      if (chars > budget.maxChars) return 'the input is too large';
      continue;
    }
    if (Array.isArray(node)) {
      if (node.length > budget.maxNodes) return `the input has more than ${budget.maxNodes} values`;
      for (const item of node) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    // Own enumerable keys only: never consult a prototype or a getter's side effects beyond reading.
    const keys = Object.keys(node);
    if (keys.length > budget.maxNodes) return `the input has more than ${budget.maxNodes} values`;
    for (const key of keys) {
      chars += key.length;
      if (chars > budget.maxChars) return 'the input is too large';
      stack.push({ value: (node as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
  return null;
}
