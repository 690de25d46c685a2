/** Entry point of the encoder worker: wires messages to EncoderHandler (src/engine/encoderHandler.ts). */
import { EncoderHandler } from '../src/engine/encoderHandler';
import { WASM_PATHS } from '../src/engine/wasmAssets';
import type { EncoderRequest, WorkerMessage } from '../src/protocol/messages';
import { openBrowserModelCache } from '../src/storage/modelCache';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: WorkerMessage, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
const handler = new EncoderHandler({ emit: (event) => post(event), wasmPaths: WASM_PATHS, cache: openBrowserModelCache() });

scope.onmessage = async (event: MessageEvent<EncoderRequest>) => {
  const { response, transfer } = await handler.handle(event.data);
  post(response, transfer);
};
post({ type: 'ready' });
