/** The app's encoder client: one per page, started on first use. */
import { useStudio } from '../state/store';
import { EncoderClient, startEncoderWorker } from './encoderClient';
import { TrainingClient } from './trainingClient';

let client: EncoderClient | null = null;

export function getEncoderClient(): EncoderClient {
  client ??= new EncoderClient(startEncoderWorker(), useStudio);
  return client;
}

/** The training client: one per page, on top of the encoder client's worker. */
let training: TrainingClient | null = null;
export function getTrainingClient(): TrainingClient {
  training ??= new TrainingClient(getEncoderClient(), useStudio);
  return training;
}

export { EncoderClient } from './encoderClient';
export { BUNDLED_MODEL } from './bundledModel';
