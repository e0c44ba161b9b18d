// The one place handlers are registered and called. Every call, from Electron or the browser host:
// check the sender, bound and parse the input with the channel's schema, run the service, validate
// its output (only the parsed output leaves), wrap in the envelope. dispatch() never throws.

import type { ZodType } from 'zod';
import { fail, ok, type Result } from '../../shared/ipc/envelope.js';
import { CHANNELS } from '../../shared/ipc/channels.js';
import { channelSpec, isChannel, type Channel } from '../../shared/ipc/contract.js';
import { errorToBody, internalBody, issuesOf, newReference, validationBody, type LogWriter } from './error-envelope.js';
import { DEFAULT_INPUT_BUDGET, overBudget, type InputBudget } from './input-budget.js';
import { checkServices, type Services } from './services.js';

/** Decides whether a call comes from our own app: Electron checks the frame's URL, the browser host its token. */
export type SenderCheck = (sender: unknown) => boolean;

type Handler = (input: unknown) => Promise<unknown>;

interface Registered {
  input: ZodType;
  output: ZodType;
  handler: Handler;
}

/** Channel → handler; registering a channel twice, or a name outside the contract, throws. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, Registered>();

  register<C extends Channel>(channel: C, handler: Services[C]): void {
    if (!isChannel(channel)) throw new Error(`"${String(channel)}" is not a channel of the IPC contract`);
    if (this.handlers.has(channel)) throw new Error(`IPC channel "${channel}" already has a handler`);
    if (typeof handler !== 'function') throw new Error(`IPC channel "${channel}" needs a function, got ${typeof handler}`);
    const spec = channelSpec(channel);
    this.handlers.set(channel, { input: spec.input, output: spec.output, handler: handler as Handler });
  }

  get(channel: string): Registered | undefined {
    return this.handlers.get(channel);
  }

  get channels(): string[] {
    return [...this.handlers.keys()];
  }
}

export interface DispatcherOptions {
  isTrustedSender: SenderCheck;
  log?: LogWriter;
  budget?: InputBudget;
}

export interface Dispatcher {
  /** Every channel of the contract (the dispatcher refuses to exist without all of them). */
  readonly channels: readonly Channel[];
  has(name: string): name is Channel;
  dispatch(channel: string, rawInput: unknown, sender: unknown): Promise<Result<unknown>>;
}

export function createDispatcher(services: Services, options: DispatcherOptions): Dispatcher {
  const { missing, unknown } = checkServices(services as unknown as Record<string, unknown>);
  if (missing.length > 0) throw new Error(`no service for IPC channel${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`);
  if (unknown.length > 0) throw new Error(`services for names outside the IPC contract: ${unknown.join(', ')}`);

  const registry = new HandlerRegistry();
  for (const channel of CHANNELS) registry.register(channel, services[channel] as never);
  const { log, isTrustedSender } = options;
  const budget = options.budget ?? DEFAULT_INPUT_BUDGET;

  async function dispatch(channel: string, rawInput: unknown, sender: unknown): Promise<Result<unknown>> {
    const entry = typeof channel === 'string' ? registry.get(channel) : undefined;
    if (!entry) return fail('NOT_FOUND', `There is no channel called "${String(channel).slice(0, 60)}".`);

    let trusted = false;
    try {
      trusted = isTrustedSender(sender) === true;
    } catch {
      trusted = false;
    }
    if (!trusted) {
      log?.('ipc.untrusted_sender', { channel });
      return fail('UNAUTHORIZED', 'This request did not come from Caseworker itself and was refused.');
    }

    const tooMuch = overBudget(rawInput, budget);
    if (tooMuch) return { ok: false, error: validationBody(`The ${channel} request`, [{ path: '', message: tooMuch }]) };

    const parsed = entry.input.safeParse(rawInput);
    if (!parsed.success) {
      return { ok: false, error: validationBody(`The ${channel} request`, issuesOf(parsed.error), parsed.error.issues.length) };
    }

    let result: unknown;
    try {
      result = await entry.handler(parsed.data);
    } catch (error) {
      return { ok: false, error: errorToBody(error, { channel, log }) };
    }

    const checked = entry.output.safeParse(result);
    if (!checked.success) {
      const reference = newReference();
      log?.('ipc.output_invalid', {
        channel,
        reference,
        issues: checked.error.issues.slice(0, 10).map((issue) => ({ path: issue.path.map(String).join('.').slice(0, 120), code: issue.code })),
      });
      return { ok: false, error: internalBody(reference) };
    }
    return ok(checked.data);
  }

  return {
    channels: CHANNELS,
    has: (name: string): name is Channel => registry.get(name) !== undefined,
    dispatch: async (channel, rawInput, sender) => {
      try {
        return await dispatch(channel, rawInput, sender);
      } catch (error) {
        // A schema or guard that threw (it should not): still an envelope, never a rejected promise.
        return { ok: false, error: errorToBody(error, { channel: String(channel), log }) };
      }
    },
  };
}
