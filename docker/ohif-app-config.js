// OHIF viewer configuration (docker compose and the viewer tests): one DICOMweb source, Orthanc
// reached through the serving origin's /dicom-web proxy.
localStorage.setItem('shownTours', JSON.stringify(['basicViewerTour']));
const dicomWebRoot = window.location.origin + '/dicom-web';

// OHIF 3.13's SR adapters (@cornerstonejs/adapters) read a measurement group's SCOORD from under its first NUM when it
// has one (the TID 300 layout), so they drop the node's detection boxes: TID 1410 puts the Image Region on the group
// and the confidence is a TID 1419 NUM with no SCOORD of its own. OHIF still parses and draws those groups in its SR
// viewport; this hook, run when the user loads the SR, turns each dropped closed 5-point POLYLINE rectangle into a
// RectangleROI so the Measurements panel lists it (label: tracking identifier and confidence, finding: its code).
// An OHIF without this customization point (or whose adapters keep the groups) is left as it is.
function detectionBoxesAsRectangles({ storedMeasurementByAnnotationType: stored, displaySet }) {
  try {
    const cs = window.cornerstone;
    const list = (x) => (x ? (Array.isArray(x) ? x : [x]) : []);
    const code = (item, value) => list(item.ConceptNameCodeSequence)[0]?.CodeValue === value;
    const kept = new Set(Object.values(stored).flat().map((t) => t.TrackingUniqueIdentifier));
    const findings = {};
    const report = list(displaySet.instance?.ContentSequence).find((c) => code(c, '126010'));
    for (const group of list(report?.ContentSequence)) {
      const items = list(group.ContentSequence);
      const uid = items.find((c) => code(c, '112040'))?.UID;
      const finding = items.find((c) => code(c, '121071'));
      if (uid && finding) findings[uid] = list(finding.ConceptCodeSequence)[0];
    }
    const rectangles = [];
    for (const m of displaySet.measurements || []) {
      const scoord = m.coords?.[0];
      const d = scoord?.GraphicData;
      if (kept.has(m.TrackingUniqueIdentifier) || !m.imageId || scoord?.ValueType !== 'SCOORD') continue;
      if (scoord.GraphicType !== 'POLYLINE' || d?.length !== 10 || d[0] !== d[8] || d[1] !== d[9]) continue;
      // SCOORD puts 0,0 on the first pixel's corner, Cornerstone on its centre
      const corner = (k) => cs.utilities.imageToWorldCoords(m.imageId, [d[2 * k] - 0.5, d[2 * k + 1] - 0.5]);
      const annotationUID = cs.utilities.uuidv4();
      const certainty = (m.labels || []).find((l) => l.label === 'Certainty of Finding');
      const label = certainty ? `${m.TrackingIdentifier} (certainty ${certainty.value.split(' ')[0]})`
        : m.TrackingIdentifier;
      const finding = findings[m.TrackingUniqueIdentifier];
      rectangles.push({
        description: finding?.CodeMeaning, sopInstanceUid: m.ReferencedSOPInstanceUID, findingSites: [],
        finding: finding ? [finding] : undefined, TrackingUniqueIdentifier: m.TrackingUniqueIdentifier,
        predecessorImageId: m.predecessorImageId,
        annotation: {
          annotationUID, metadata: { toolName: 'RectangleROI', referencedImageId: m.imageId },
          data: {
            annotationUID, frameNumber: m.frameNumber || 1, label,
            cachedStats: { [`imageId:${m.imageId}`]: { area: 0, modalityUnit: '' } },
            // RectangleROI's handles: top-left, top-right, bottom-left, bottom-right
            handles: {
              activeHandleIndex: 0, textBox: { hasMoved: false }, points: [corner(0), corner(1), corner(3), corner(2)],
            },
          },
        },
      });
    }
    return rectangles.length ? { ...stored, RectangleROI: [...(stored.RectangleROI || []), ...rectangles] } : stored;
  } catch (err) {
    console.warn('detection boxes not turned into rectangles', err);
    return stored;
  }
}

window.config = {
  routerBasename: '/',
  extensions: [],
  modes: [],
  customizationService: { onBeforeSRHydration: { value: detectionBoxesAsRectangles } },
  showStudyList: true,
  maxNumberOfWebWorkers: 2,
  showWarningMessageForCrossOrigin: false,
  showCPUFallbackMessage: false,
  showLoadingIndicator: true,
  strictZSpacingForVolumeViewport: true,
  investigationalUseDialog: { option: 'never' },
  defaultDataSourceName: 'orthanc',
  dataSources: [{
    namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
    sourceName: 'orthanc',
    configuration: {
      friendlyName: 'Orthanc (test PACS)',
      name: 'orthanc',
      wadoUriRoot: dicomWebRoot,
      qidoRoot: dicomWebRoot,
      wadoRoot: dicomWebRoot,
      qidoSupportsIncludeField: false,
      imageRendering: 'wadors',
      thumbnailRendering: 'wadors',
      enableStudyLazyLoad: true,
      supportsFuzzyMatching: false,
      supportsWildcard: true,
      omitQuotationForMultipartRequest: true,
      bulkDataURI: { enabled: true },
    },
  }],
};
