// The subset of the ONNX protobuf schema (onnx/onnx.proto, IR version 8) that this node writes and reads.
import protobuf from 'protobufjs';

// Field numbers are those of the official onnx.proto; only messages and fields used here are declared,
// and protobuf skips unknown fields when decoding a model written by another tool.
const ONNX_PROTO = `
syntax = "proto3";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10; }
  string name = 1; float f = 2; int64 i = 3; bytes s = 4; TensorProto t = 5;
  repeated float floats = 7; repeated int64 ints = 8; repeated bytes strings = 9;
  AttributeType type = 20;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; string doc_string = 3; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4;
  repeated AttributeProto attribute = 5; string doc_string = 6; string domain = 7;
}
message StringStringEntryProto { string key = 1; string value = 2; }
message ModelProto {
  int64 ir_version = 1; string producer_name = 2; string producer_version = 3; string domain = 4;
  int64 model_version = 5; string doc_string = 6; GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8; repeated StringStringEntryProto metadata_props = 14;
}
message GraphProto {
  repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5;
  string doc_string = 10; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}
message TensorProto {
  repeated int64 dims = 1; int32 data_type = 2; repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true]; repeated int64 int64_data = 7 [packed = true];
  string name = 8; bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } string denotation = 3; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
  string denotation = 6;
}
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
`;

const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
export const ModelProto = root.lookupType('onnx.ModelProto');

/** ONNX TensorProto.DataType values used by this project. */
export const OnnxDataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT16: 5, INT32: 6, INT64: 7, BOOL: 9 } as const;
const DATA_TYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64',
};

/** One graph input or output as the ONNX file declares it; symbolic dims are strings. */
export interface OnnxValueInfo { name: string; dtype: string; shape: Array<number | string> }

/** Reads the declared graph inputs (initializers excluded) and outputs of an ONNX file. */
export function readOnnxSignature(bytes: Uint8Array): { inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] } {
  const model = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: true }) as DecodedModel;
  if (!model.graph) throw new Error('the file holds no ONNX graph');
  const initializers = new Set(model.graph.initializer.map((t) => t.name));
  return {
    inputs: model.graph.input.filter((v) => !initializers.has(v.name)).map(toValueInfo),
    outputs: model.graph.output.map(toValueInfo),
  };
}

interface DecodedValueInfo {
  name: string;
  type?: { tensor_type?: { elem_type: number; shape?: { dim: Array<{ dim_value?: number; dim_param?: string }> } } };
}
interface DecodedModel { graph?: { input: DecodedValueInfo[]; output: DecodedValueInfo[];
  initializer: Array<{ name: string }> } }

function toValueInfo(v: DecodedValueInfo): OnnxValueInfo {
  const tensor = v.type?.tensor_type;
  const dims = tensor?.shape?.dim ?? [];
  return {
    name: v.name,
    dtype: DATA_TYPE_NAMES[tensor?.elem_type ?? 0] ?? `onnx-type-${tensor?.elem_type ?? 0}`,
    shape: dims.map((d) => (d.dim_param ? d.dim_param : Number(d.dim_value ?? 0))),
  };
}
