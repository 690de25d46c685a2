/** Exporting a trained delta as files Python's peft (or torch) loads, and importing it back. */
export { DELTA_EXPORT_ERROR_CODES, DELTA_IMPORT_ERROR_CODES, DeltaExportError, DeltaImportError, type DeltaExportErrorCode, type DeltaImportErrorCode } from './errors';
export { exportDelta, tensorsToData, type DeltaExportInput } from './exportDelta';
export { dataToTensors, importDelta, type ImportedDelta, type ImportTarget } from './importDelta';
export { DELTA_FORMAT_VERSION, LIBRARY_FILES, MANIFEST_FILE, type DeltaManifest, type ExportTask, type TensorData } from './layout';
