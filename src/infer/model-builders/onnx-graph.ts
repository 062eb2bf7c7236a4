// A small ONNX graph builder: named tensors, nodes with typed attributes, serialised with protobufjs.
import { ModelProto, OnnxDataType } from '../onnx-proto.js';

/** Attribute values: a number is an INT, `{ f }` a FLOAT, a number[] INTS, `{ floats }` FLOATS, a string STRING. */
export type AttributeValue = number | number[] | string | { f: number } | { floats: number[] };
export type Dim = number | string;

const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;
/** Opset used by every model this project builds (supported by onnxruntime ≥ 1.13). */
export const OPSET = 17;

export class OnnxGraph {
  private readonly nodes: object[] = [];
  private readonly initializers: object[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  /** Declares a float32 (or other) graph input and returns its name. */
  input(name: string, shape: Dim[], dataType: number = OnnxDataType.FLOAT): string {
    this.inputs.push(valueInfo(name, shape, dataType));
    return name;
  }

  /** Renames the last value to a declared graph output through an Identity node. */
  output(name: string, from: string, shape: Dim[], dataType: number = OnnxDataType.FLOAT): string {
    this.node('Identity', [from], {}, name);
    this.outputs.push(valueInfo(name, shape, dataType));
    return name;
  }

  /** A float32 constant (weights, scalars) stored as raw little-endian bytes. */
  floats(values: ArrayLike<number>, dims: number[], hint = 'c'): string {
    const data = Float32Array.from(values);
    return this.initializer(hint, dims, OnnxDataType.FLOAT, new Uint8Array(data.buffer));
  }

  /** An int64 constant (axes, shapes). */
  int64s(values: number[], dims: number[] = [values.length], hint = 'i'): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    return this.initializer(hint, dims, OnnxDataType.INT64, new Uint8Array(data.buffer));
  }

  /** Adds a node and returns the name of its (first) output. */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputName?: string): string {
    const output = outputName ?? `${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push({
      op_type: opType, name: `${opType}_${this.counter++}`, input: inputs, output: [output],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return output;
  }

  /** Serialises the model; the bytes depend only on the graph, so rebuilding gives the same sha256. */
  toBytes(docString: string): Uint8Array {
    const model = ModelProto.fromObject({
      ir_version: 8, producer_name: 'dicom-ai-node', producer_version: '1', doc_string: docString,
      opset_import: [{ domain: '', version: OPSET }],
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs,
        output: this.outputs },
    });
    return ModelProto.encode(model).finish();
  }

  private initializer(hint: string, dims: number[], dataType: number, raw: Uint8Array): string {
    const name = `${hint}_${this.counter++}`;
    this.initializers.push({ name, dims, data_type: dataType, raw_data: raw });
    return name;
  }
}

function valueInfo(name: string, shape: Dim[], elemType: number): object {
  const dim = shape.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d }));
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } } };
}

function attribute(name: string, value: AttributeValue): object {
  if (typeof value === 'number') return { name, type: ATTR.INT, i: value };
  if (typeof value === 'string') return { name, type: ATTR.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: ATTR.INTS, ints: value };
  if ('f' in value) return { name, type: ATTR.FLOAT, f: value.f };
  return { name, type: ATTR.FLOATS, floats: value.floats };
}
