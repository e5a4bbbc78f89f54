// ONNX's protobuf schema (the official onnx.proto, compiled for protobufjs by the `onnx-proto` package) and the few
// helpers every ONNX reader and writer here needs: int64 fields arrive as Long objects, tensors are float32 in
// raw_data (little-endian) or in float_data, and a node's attributes are looked up by name.
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const DOUBLE = onnx.TensorProto.DataType.DOUBLE;

/** A protobuf int64 (Long, number or null) as a JS number. */
export function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const l = v as { toNumber?: () => number };
  return typeof l.toNumber === 'function' ? l.toNumber() : Number(v);
}

export function floatTensor(name: string, dims: number[], values: Float32Array): TensorProto {
  const copy = Float32Array.from(values);
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: FLOAT,
    rawData: new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength),
  });
}

export function int64Tensor(name: string, values: number[]): TensorProto {
  return onnx.TensorProto.create({
    name,
    dims: [values.length],
    dataType: onnx.TensorProto.DataType.INT64,
    int64Data: values,
  });
}

/** The values of a float32 / float64 initializer, as float32; throws for anything else. */
export function tensorValues(t: TensorProto): { dims: number[]; values: Float32Array } {
  const dims = (t.dims ?? []).map(num);
  const size = dims.reduce((a, b) => a * b, 1);
  let values: Float32Array;
  if (t.dataType === FLOAT) {
    if (t.rawData && t.rawData.length) {
      const raw = t.rawData;
      const copy = new Uint8Array(raw.length);
      copy.set(raw);
      values = new Float32Array(copy.buffer);
    } else values = Float32Array.from(t.floatData ?? []);
  } else if (t.dataType === DOUBLE) {
    if (t.rawData && t.rawData.length) {
      const copy = new Uint8Array(t.rawData.length);
      copy.set(t.rawData);
      values = Float32Array.from(new Float64Array(copy.buffer));
    } else values = Float32Array.from(t.doubleData ?? []);
  } else if (t.externalData && t.externalData.length) {
    throw new Error(
      `initializer ${t.name} is stored outside the file (external data), which is not supported`,
    );
  } else {
    throw new Error(`initializer ${t.name} has data type ${t.dataType}, expected float32 or float64`);
  }
  if (values.length !== size)
    throw new Error(`initializer ${t.name} holds ${values.length} values for shape [${dims.join(', ')}]`);
  return { dims, values };
}

export function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

export function intAttr(node: NodeProto, name: string, fallback: number): number {
  const a = attr(node, name);
  return a ? num(a.i) : fallback;
}

export function floatAttr(node: NodeProto, name: string, fallback: number): number {
  const a = attr(node, name);
  return a && a.f !== null && a.f !== undefined ? a.f : fallback;
}

export const intAttribute = (name: string, i: number): AttributeProto => ({
  name,
  i,
  type: onnx.AttributeProto.AttributeType.INT,
});
export const intsAttribute = (name: string, ints: number[]): AttributeProto => ({
  name,
  ints,
  type: onnx.AttributeProto.AttributeType.INTS,
});
export const floatAttribute = (name: string, f: number): AttributeProto => ({
  name,
  f,
  type: onnx.AttributeProto.AttributeType.FLOAT,
});

/** A graph input or output: a tensor of elemType (FLOAT by default) whose dims are sizes or named (symbolic) sizes. */
export function valueInfo(name: string, dims: (number | string)[], elemType: number = FLOAT): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export function encodeModel(m: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(m)).finish();
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}
