// A restricted reader of the pickle inside a PyTorch checkpoint: it understands exactly what a state_dict of tensors
// needs (dicts, lists, tuples, strings, numbers, OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter
// and typed storages referenced by persistent id) and nothing else. No object is ever constructed from a name in
// the file and no code runs: any other global, opcode or call is refused with a sentence naming it. Every read is
// bounds-checked, so truncated or hostile bytes fail cleanly.
export class PickleError extends Error {}

export type StorageDtype = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool';

export interface StorageRef {
  kind: 'storage';
  dtype: StorageDtype;
  key: string;
  numel: number;
}

export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

class Global {
  constructor(readonly name: string) {}
}
class Tuple {
  constructor(readonly items: PyValue[]) {}
}

export type PyValue =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | PyValue[]
  | Tuple
  | Map<PyValue, PyValue>
  | Global
  | StorageRef
  | TensorRef;

const storages: Record<string, StorageDtype> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ByteStorage: 'uint8',
  CharStorage: 'int8',
  BoolStorage: 'bool',
};

const allowedGlobals = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...Object.keys(storages).map((s) => `torch.${s}`),
]);

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

const ints = (v: PyValue, what: string): number[] => {
  const items = v instanceof Tuple ? v.items : Array.isArray(v) ? v : null;
  if (!items || items.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < 0))
    throw new PickleError(`${what} is not a tuple of sizes`);
  return items as number[];
};

function call(fn: PyValue, args: PyValue): PyValue {
  if (!(fn instanceof Global)) throw new PickleError('a call of something that is not an allowed function');
  const a = args instanceof Tuple ? args.items : null;
  if (!a) throw new PickleError(`${fn.name} called without an argument tuple`);
  switch (fn.name) {
    case 'collections.OrderedDict':
      if (a.length) throw new PickleError('OrderedDict called with arguments');
      return new Map();
    case 'torch._utils._rebuild_tensor_v2': {
      const [storage, offset] = a;
      if (a.length < 4 || (storage as StorageRef)?.kind !== 'storage' || typeof offset !== 'number')
        throw new PickleError('_rebuild_tensor_v2 with unexpected arguments');
      const shape = ints(a[2], 'a tensor shape');
      const stride = ints(a[3], 'a tensor stride');
      if (shape.length !== stride.length)
        throw new PickleError('a tensor whose shape and stride differ in length');
      return { kind: 'tensor', storage: storage as StorageRef, offset, shape, stride };
    }
    case 'torch._utils._rebuild_parameter':
      if ((a[0] as TensorRef)?.kind !== 'tensor')
        throw new PickleError('_rebuild_parameter of something not a tensor');
      return a[0];
    default:
      throw new PickleError(`${fn.name} cannot be called`);
  }
}

function persistent(pid: PyValue): StorageRef {
  const t = pid instanceof Tuple ? pid.items : null;
  if (
    !t ||
    t[0] !== 'storage' ||
    !(t[1] instanceof Global) ||
    typeof t[2] !== 'string' ||
    typeof t[4] !== 'number'
  )
    throw new PickleError('a persistent id that is not a tensor storage');
  const dtype = storages[t[1].name.replace(/^torch\./, '')];
  if (!dtype) throw new PickleError(`storage type ${t[1].name} is not supported`);
  return { kind: 'storage', dtype, key: t[2], numel: t[4] };
}

/** Reads one pickle; refuses everything a state_dict does not need. */
export function unpickle(buf: Uint8Array): PyValue {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const td = new TextDecoder('utf-8', { fatal: true });
  let p = 0;
  const need = (n: number) => {
    if (n < 0 || p + n > buf.length) throw new PickleError('the pickle ends early (truncated file?)');
  };
  const byte = () => (need(1), buf[p++]);
  const u16 = () => (need(2), (p += 2), dv.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), dv.getUint32(p - 4, true));
  const bytes = (n: number) => (need(n), (p += n), buf.subarray(p - n, p));
  const text = (n: number) => {
    try {
      return td.decode(bytes(n));
    } catch (err) {
      if (err instanceof PickleError) throw err;
      throw new PickleError('a string that is not valid UTF-8');
    }
  };
  const line = () => {
    const end = buf.indexOf(0x0a, p);
    if (end < 0 || end - p > 256) throw new PickleError('a damaged GLOBAL opcode');
    const s = text(end - p);
    p++;
    return s;
  };
  const stack: Slot[] = [];
  const memo = new Map<number, PyValue>();
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new PickleError('the pickle pops from an empty stack');
    return v;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new PickleError('the pickle reads an empty stack');
    return v;
  };
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new PickleError('the pickle has no MARK where one is needed');
    const items = stack.splice(i) as PyValue[];
    items.shift();
    return items;
  };
  const global = (name: string) => {
    if (!allowedGlobals.has(name))
      throw new PickleError(
        `the pickle refers to ${name}, which a state_dict of tensors never needs (refused)`,
      );
    return new Global(name);
  };
  const setItems = (d: PyValue, kv: PyValue[]) => {
    if (!(d instanceof Map)) throw new PickleError('SETITEM on something that is not a dict');
    if (kv.length % 2) throw new PickleError('SETITEMS with an odd number of values');
    for (let i = 0; i < kv.length; i += 2) d.set(kv[i], kv[i + 1]);
  };
  const push = (v: PyValue) => {
    if (stack.length > 1_000_000) throw new PickleError('the pickle nests too deeply');
    stack.push(v);
  };
  for (;;) {
    const op = byte();
    switch (op) {
      case 0x80:
        byte();
        break; // PROTO
      case 0x95:
        bytes(8);
        break; // FRAME
      case 0x2e:
        return pop(); // STOP
      case 0x28:
        stack.push(MARK);
        break; // MARK
      case 0x7d:
        push(new Map());
        break; // EMPTY_DICT
      case 0x5d:
        push([]);
        break; // EMPTY_LIST
      case 0x29:
        push(new Tuple([]));
        break; // EMPTY_TUPLE
      case 0x74:
        push(new Tuple(popMark()));
        break; // TUPLE
      case 0x85:
        push(new Tuple([pop()]));
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        push(new Tuple([pop(), b]));
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        push(new Tuple([pop(), b, c]));
        break;
      } // TUPLE3
      case 0x64: {
        const d = new Map();
        setItems(d, popMark());
        push(d);
        break;
      } // DICT
      case 0x6c:
        push(popMark());
        break; // LIST
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const kv = popMark();
        setItems(top(), kv);
        break;
      } // SETITEMS
      case 0x61: {
        const v = pop();
        const l = top();
        if (!Array.isArray(l)) throw new PickleError('APPEND to a non-list');
        l.push(v);
        break;
      }
      case 0x65: {
        const vs = popMark();
        const l = top();
        if (!Array.isArray(l)) throw new PickleError('APPENDS to a non-list');
        l.push(...vs);
        break;
      }
      case 0x58:
        push(text(u32()));
        break; // BINUNICODE
      case 0x8c:
        push(text(byte()));
        break; // SHORT_BINUNICODE
      case 0x8d: {
        const lo = u32();
        const hi = u32();
        if (hi) throw new PickleError('a string over 4 GiB');
        push(text(lo));
        break;
      }
      case 0x42:
        push(Uint8Array.from(bytes(u32())));
        break; // BINBYTES
      case 0x43:
        push(Uint8Array.from(bytes(byte())));
        break; // SHORT_BINBYTES
      case 0x4a:
        need(4);
        push(dv.getInt32(p, true));
        p += 4;
        break; // BININT
      case 0x4b:
        push(byte());
        break; // BININT1
      case 0x4d:
        push(u16());
        break; // BININT2
      case 0x8a: {
        // LONG1
        const n = byte();
        const b = bytes(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER))
          throw new PickleError('an integer too large for this reader');
        push(Number(v));
        break;
      }
      case 0x47:
        need(8);
        push(dv.getFloat64(p, false));
        p += 8;
        break; // BINFLOAT (big-endian)
      case 0x88:
        push(true);
        break;
      case 0x89:
        push(false);
        break;
      case 0x4e:
        push(null);
        break;
      case 0x71:
        memo.set(byte(), top());
        break; // BINPUT
      case 0x72:
        memo.set(u32(), top());
        break; // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x68:
      case 0x6a: {
        // BINGET, LONG_BINGET
        const i = op === 0x68 ? byte() : u32();
        if (!memo.has(i)) throw new PickleError(`the pickle reads memo ${i}, which was never written`);
        push(memo.get(i)!);
        break;
      }
      case 0x63: {
        const mod = line();
        push(global(`${mod}.${line()}`));
        break;
      } // GLOBAL
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const mod = pop();
        if (typeof mod !== 'string' || typeof name !== 'string')
          throw new PickleError('a damaged STACK_GLOBAL');
        push(global(`${mod}.${name}`));
        break;
      }
      case 0x52: {
        const args = pop();
        push(call(pop(), args));
        break;
      } // REDUCE
      case 0x62: {
        // BUILD: only the state of an OrderedDict (its _metadata), which is dropped
        pop();
        if (!(top() instanceof Map)) throw new PickleError('BUILD on an object other than a dict (refused)');
        break;
      }
      case 0x51:
        push(persistent(pop()));
        break; // BINPERSID
      default:
        throw new PickleError(
          `opcode 0x${op.toString(16).padStart(2, '0')} at byte ${p - 1} is not allowed in a state_dict (refused)`,
        );
    }
  }
}
