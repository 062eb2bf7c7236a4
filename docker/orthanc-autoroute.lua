-- Forwards every CT instance Orthanc receives to the AI node ("ai-node" in DicomModalities).
-- Results (SEG, SR) coming back are not CT, so nothing loops.
function OnStoredInstance(instanceId, tags, metadata, origin)
  if tags['Modality'] == 'CT' and origin['RequestOrigin'] ~= 'Lua' then
    SendToModality(instanceId, 'ai-node')
  end
end
