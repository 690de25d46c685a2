/** The app's encoder client: one per page, started on first use. */
import { useStudio } from '../state/store';
import { EncoderClient, startEncoderWorker } from './encoderClient';

let client: EncoderClient | null = null;

export function getEncoderClient(): EncoderClient {
  client ??= new EncoderClient(startEncoderWorker(), useStudio);
  return client;
}

export { EncoderClient } from './encoderClient';
export { BUNDLED_MODEL } from './bundledModel';
