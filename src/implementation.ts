// The node's identity in every Part-10 file it writes (PS3.7 D.3.3.2): one UID, one version name.
// The UID is UUID-derived (2.25…), so it needs no registered root.
export const IMPLEMENTATION_CLASS_UID = '2.25.195835492316426302655520480160575946798';
export const IMPLEMENTATION_VERSION_NAME = 'DICOM_AI_NODE_01';
