// Calling a channel through a real dispatcher from a test: the data of an ok envelope, or the typed
// error of a failed one (a success where a failure was expected fails the test).
import type { Dispatcher } from '../../main/ipc/register.js';
import type { Channel, ChannelArgs, ChannelOutput } from '../../shared/ipc/contract.js';
import { IpcError, unwrap } from '../../shared/ipc/envelope.js';

export async function dispatchOk<C extends Channel>(dispatcher: Dispatcher, channel: C, input: ChannelArgs<C>): Promise<ChannelOutput<C>> {
  return unwrap(await dispatcher.dispatch(channel, input, 'test')) as ChannelOutput<C>;
}

export async function dispatchFailure<C extends Channel>(dispatcher: Dispatcher, channel: C, input: ChannelArgs<C>): Promise<IpcError> {
  const result = await dispatcher.dispatch(channel, input, 'test');
  if (result.ok) throw new Error(`${channel} succeeded, a failure was expected`);
  return new IpcError(result.error.code, result.error.message, result.error.details);
}
