/** Entry point of the text-parsing worker: wires messages to ParseHandler (src/engine/parseHandler.ts). */
import { ParseHandler } from '../src/engine/parseHandler';
import type { ParseRequest, ParseWorkerMessage } from '../src/protocol/messages';
import { addTexts, listTexts, newId } from '../src/storage/db';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: ParseWorkerMessage) => scope.postMessage(message);
const handler = new ParseHandler({ save: addTexts, existingTexts: async (taskId) => (await listTexts(taskId)).map((t) => t.text), emit: post, newId });

scope.onmessage = async (event: MessageEvent<ParseRequest>) => {
  post((await handler.handle(event.data)).response);
};
