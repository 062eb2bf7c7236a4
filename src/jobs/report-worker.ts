// Worker-thread entry: a classification or detection result → its TID 1500 SR bytes, off the main event loop.
import { encodeClassificationReport, type ClassificationReportRequest } from '../encode/sr-classification.js';
import { encodeDetectionReport, type DetectionReportInput } from '../encode/sr-detection.js';
import type { MeasurementReportResult } from '../encode/types.js';
import { answerRequests } from '../worker-start.js';
import { encodeFailure, type EncodeFailure } from './encode-failure.js';

export type ReportRequest =
  | { kind: 'classification'; report: ClassificationReportRequest }
  | { kind: 'detection'; report: DetectionReportInput };
export type ReportReply = ({ ok: true } & MeasurementReportResult) | EncodeFailure;

answerRequests((r: ReportRequest): ReportReply => {
  try {
    return { ok: true, ...(
      r.kind === 'classification' ? encodeClassificationReport(r.report) : encodeDetectionReport(r.report)) };
  } catch (err) {
    return encodeFailure(err);
  }
}, { once: true });
