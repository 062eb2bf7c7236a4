// The API's view of a result (ResultSummary / ResultDetail of the review contract): the result row joined with
// its job, objects, deliveries, history, previews and the viewer link.
import path from 'node:path';
import type { Db } from '../../db/database.js';
import { listDeliveries } from '../../db/deliveries.js';
import { instanceFilesOfSeries } from '../../db/instances.js';
import { getJob, type JobRow } from '../../db/jobs.js';
import { objectsOfResult, resultHistory, type ResultRow } from '../../db/results.js';
import { listPreviews, type PreviewSource } from '../../review/preview-cache.js';

export interface ViewContext { db: Db; dataDir: string; viewerUrlTemplate: string }

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function resultSummary(ctx: ViewContext, r: ResultRow, job = getJob(ctx.db, r.jobId)) {
  return {
    id: r.id, jobId: r.jobId, revision: r.revision, state: r.state,
    qc: { state: r.qcState, reasons: r.qcReasons },
    studyInstanceUid: job?.studyInstanceUid ?? null, seriesInstanceUid: job?.seriesInstanceUid ?? null,
    modelId: job?.modelId ?? null, modelVersion: r.modelVersion,
    ruleId: job?.ruleId ?? null, rulesVersion: job?.rulesVersion ?? null,
    segments: r.segments, heldReason: r.heldReason, reviewedBy: r.reviewedBy, reviewedAt: iso(r.reviewedAt),
    decisionReason: r.decisionReason, viewerUrl: job ? viewerUrl(ctx.viewerUrlTemplate, job) : null,
    createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt),
  };
}

export function resultDetail(ctx: ViewContext, r: ResultRow) {
  const job = getJob(ctx.db, r.jobId);
  const objects = objectsOfResult(ctx.db, r.jobId, r.revision);
  const source = job ? previewSource(ctx, r, job) : undefined;
  return {
    ...resultSummary(ctx, r, job),
    objects: objects.map(({ kind, sopClassUid, sopInstanceUid, seriesInstanceUid }) => (
      { kind, sopClassUid, sopInstanceUid, seriesInstanceUid })),
    previews: (source ? listPreviews(source) : [])
      .map((p) => ({ ...p, url: `/api/results/${r.id}/preview/${p.n}.png` })),
    deliveries: listDeliveries(ctx.db, { resultId: r.id, limit: 1000 }).reverse()
      .map(({ id, destinationId, sopInstanceUid, state, attempts, lastError }) => (
        { id, destinationId, sopInstanceUid, state, attempts, lastError })),
    history: resultHistory(ctx.db, r.id).map((e) => ({ ...e, at: iso(e.at) })),
  };
}

/** What the preview renderer needs: the source series' files and the SEG, the cache folder of the job. */
export function previewSource(ctx: ViewContext, r: ResultRow, job: JobRow): PreviewSource {
  const seg = objectsOfResult(ctx.db, r.jobId, r.revision).find((o) => o.kind === 'SEG');
  return {
    dir: path.join(ctx.dataDir, 'results', String(r.jobId)), revision: r.revision,
    seriesFiles: instanceFilesOfSeries(ctx.db, job.seriesInstanceUid ?? '').map((f) => path.resolve(ctx.dataDir, f)),
    segFile: seg?.path, segmentLabels: r.segments.filter((s) => s.present).map((s) => s.label),
  };
}

/** review.viewerUrlTemplate with {StudyInstanceUID} and {SeriesInstanceUID} filled in; null without a template. */
export function viewerUrl(template: string, job: JobRow): string | null {
  if (!template) return null;
  return template.replaceAll('{StudyInstanceUID}', encodeURIComponent(job.studyInstanceUid))
    .replaceAll('{SeriesInstanceUID}', encodeURIComponent(job.seriesInstanceUid ?? ''));
}
