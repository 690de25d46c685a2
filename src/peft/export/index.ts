/** Exporting a trained delta as files Python's peft, AdapterHub's adapters or plain torch loads, and importing it back. */
export { DELTA_EXPORT_ERROR_CODES, DELTA_IMPORT_ERROR_CODES, DeltaExportError, DeltaImportError, type DeltaExportErrorCode, type DeltaImportErrorCode } from './errors';
export { exportDelta, formatOf, tensorsToData, type DeltaExportInput } from './exportDelta';
export { dataToTensors, importDelta, type ImportedDelta, type ImportTarget } from './importDelta';
export { CLASSIFIER_FILE, DELTA_FORMAT_VERSION, EXPORT_LAYOUTS, layoutOf, MANIFEST_FILE, type DeltaManifest, type ExportLayout, type ExportTask, type TensorData } from './layout';
