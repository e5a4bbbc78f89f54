// Form fields read from a zod object schema, so the training form cannot drift from the contract: labels, help,
// units, bounds and defaults all come from TrainConfig's .describe() texts and checks. Validation uses the same
// schema the main side uses; this file only turns text inputs into values and zod issues into per-field messages.
import type { z } from 'zod';

export type FieldKind = 'number' | 'integer' | 'enum' | 'boolean' | 'list' | 'object';

export interface FieldSpec {
  key: string;
  kind: FieldKind;
  /** The description without its trailing "(unit; note)". */
  help: string;
  unit: string | null;
  /** What an empty optional field means, from the unit note ("unset = the whole set"). */
  note: string | null;
  optional: boolean;
  defaultValue: unknown;
  min: number | null;
  max: number | null;
  options: string[];
  /** For kind 'object': its own fields. */
  fields: FieldSpec[];
}

interface Introspect {
  def: { type: string; innerType?: Introspect; defaultValue?: unknown; element?: Introspect };
  description?: string;
  minValue?: number | null;
  maxValue?: number | null;
  isInt?: boolean;
  options?: string[];
  shape?: Record<string, Introspect>;
}

/** "Images per step (images; unset = all)" -> help, unit, note. Units are the parenthesised tail. */
export function splitDescription(text: string): { help: string; unit: string | null; note: string | null } {
  const m = text.match(/^(.*?)\s*\(([^()]*)\)\s*$/);
  if (!m) return { help: text, unit: null, note: null };
  const [unit, ...rest] = m[2].split(';').map((s) => s.trim());
  // A long parenthesis is an explanation, not a unit: keep it in the help text.
  if (unit.length > 24) return { help: text, unit: null, note: null };
  return { help: m[1], unit: unit || null, note: rest.join('; ') || null };
}

function spec(key: string, schema: Introspect): FieldSpec {
  let s = schema;
  let optional = false;
  let defaultValue: unknown = undefined;
  const description = s.description;
  for (;;) {
    if (s.def.type === 'optional') optional = true;
    else if (s.def.type === 'default') defaultValue = s.def.defaultValue;
    else break;
    s = s.def.innerType!;
  }
  const kinds: Record<string, FieldKind> = {
    number: s.isInt ? 'integer' : 'number',
    enum: 'enum',
    // a free string is a choice among values only the form knows (the data sets on disk): it fills the options
    string: 'enum',
    boolean: 'boolean',
    array: 'list',
    object: 'object',
  };
  const kind = kinds[s.def.type];
  if (!kind) throw new Error(`The form cannot show field '${key}' of type ${s.def.type}.`);
  const d = splitDescription(description ?? s.description ?? key);
  // zod's .int() brings the safe-integer range along: not a bound worth showing.
  const finite = (v: number | null | undefined) =>
    v != null && Number.isFinite(v) && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : null;
  return {
    key,
    kind,
    ...d,
    optional,
    defaultValue,
    min: finite(s.minValue),
    max: finite(s.maxValue),
    options: s.options ?? [],
    fields: kind === 'object' ? fieldsOf(s as unknown as z.ZodObject) : [],
  };
}

export function fieldsOf(schema: z.ZodObject): FieldSpec[] {
  const shape = (schema as unknown as Introspect).shape ?? {};
  return Object.entries(shape).map(([k, s]) => spec(k, s));
}

/** What the inputs hold: text for numbers and lists (so half-typed values survive), booleans, nested groups. */
export type FormValue = string | boolean | FormValues;
export interface FormValues {
  [key: string]: FormValue;
}

/** A config object -> input values, field by field. */
export function toFormValues(fields: FieldSpec[], config: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    const v = config[f.key] ?? f.defaultValue;
    if (f.kind === 'boolean') out[f.key] = Boolean(v);
    else if (f.kind === 'object')
      out[f.key] = toFormValues(f.fields, (v as Record<string, unknown> | undefined) ?? {});
    else if (f.kind === 'list') out[f.key] = Array.isArray(v) ? v.join(', ') : '';
    else out[f.key] = v === undefined ? '' : String(v);
  }
  return out;
}

/** Input values -> the object handed to zod, plus messages for text that is not a number at all. */
export function fromFormValues(
  fields: FieldSpec[],
  values: FormValues,
  prefix = '',
): { value: Record<string, unknown>; errors: Record<string, string> } {
  const value: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = values[f.key];
    const path = prefix + f.key;
    if (f.kind === 'boolean') value[f.key] = raw === true;
    else if (f.kind === 'object') {
      const group = (raw as FormValues | undefined) ?? {};
      // An optional group left wholly empty is absent, not a group of missing values.
      if (f.optional && Object.values(group).every((v) => v === '' || v === undefined)) continue;
      const inner = fromFormValues(f.fields, group, path + '.');
      value[f.key] = inner.value;
      Object.assign(errors, inner.errors);
    } else if (f.kind === 'enum') value[f.key] = raw;
    else {
      const text = String(raw ?? '').trim();
      if (text === '') {
        if (!f.optional && f.defaultValue === undefined) errors[path] = 'Required.';
        continue;
      }
      if (f.kind === 'list') {
        const items = text
          .split(/[\s,]+/)
          .filter(Boolean)
          .map(Number);
        if (items.some((n) => !Number.isFinite(n))) errors[path] = 'Give numbers separated by commas.';
        value[f.key] = items;
      } else {
        const n = Number(text);
        if (!Number.isFinite(n)) errors[path] = 'Enter a number.';
        else value[f.key] = n;
      }
    }
  }
  return { value, errors };
}

/** Parses with the schema; one message per field path ("synthetic.classes"), the first issue wins. */
export function validate<T>(
  schema: z.ZodType<T>,
  fields: FieldSpec[],
  values: FormValues,
): { ok: true; config: T } | { ok: false; errors: Record<string, string> } {
  const { value, errors } = fromFormValues(fields, values);
  const r = schema.safeParse(value);
  if (r.success && Object.keys(errors).length === 0) return { ok: true, config: r.data };
  if (!r.success)
    for (const issue of r.error.issues) {
      const path = issue.path.join('.') || '(form)';
      errors[path] ??= friendly(issue);
    }
  return { ok: false, errors };
}

function friendly(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_small')
    return `Must be ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}.`;
  if (issue.code === 'too_big')
    return `Must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}.`;
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'Must be a whole number.';
  if (issue.code === 'unrecognized_keys') return `Unknown field: ${issue.keys.join(', ')}.`;
  return (
    issue.message.charAt(0).toUpperCase() + issue.message.slice(1) + (issue.message.endsWith('.') ? '' : '.')
  );
}
