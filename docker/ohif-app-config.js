// OHIF viewer configuration (docker compose and the viewer tests): one DICOMweb source, Orthanc
// reached through the serving origin's /dicom-web proxy.
localStorage.setItem('shownTours', JSON.stringify(['basicViewerTour']));
const dicomWebRoot = window.location.origin + '/dicom-web';
window.config = {
  routerBasename: '/',
  extensions: [],
  modes: [],
  customizationService: {},
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
