import { Fieldset, NumberInput, PasswordInput, SegmentedControl, Select, Stack, Switch, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { useId } from 'react';
import {
  chosenVariant,
  labelOf,
  VARIANT_KEY,
  typeOf,
  variantLabel,
  variantsOf,
  isSecretName,
  type FieldErrors,
  type FormValues,
  type JsonSchema,
} from './jsonSchema';

interface FieldsProps {
  schema: JsonSchema;
  values: FormValues;
  onChange(values: FormValues): void;
  errors: FieldErrors;
  /** Every string field is a secret (the credentials section): typed into password inputs, never shown back. */
  secret?: boolean;
  /** Path of these fields inside the form's values, for error keys (`auth.`). */
  prefix?: string;
  disabled?: boolean;
}

/**
 * Renders the fields of an object JSON Schema with Mantine inputs: strings (URLs, patterns,
 * secrets, PEM keys), enums, integers and numbers with their bounds, booleans, lists of strings,
 * nested objects as fieldsets, and alternatives (anyOf/oneOf of objects) as a choice of shape.
 * Labels come from the property names, descriptions and defaults from the schema, required
 * fields are marked, and errors (the API's or the form's) show under their field.
 */
export function SchemaFields(props: FieldsProps) {
  const variants = variantsOf(props.schema);
  if (variants) return <VariantFields {...props} variants={variants} />;
  const properties = Object.entries(props.schema.properties ?? {});
  const required = new Set(props.schema.required ?? []);
  if (properties.length === 0) return <Text size="sm">This type needs nothing here.</Text>;
  return (
    <Stack gap="sm">
      {properties.map(([name, property]) => (
        <SchemaField
          key={name}
          name={name}
          schema={property}
          required={required.has(name)}
          value={props.values[name]}
          onChange={(value) => props.onChange({ ...props.values, [name]: value })}
          errors={props.errors}
          path={`${props.prefix ?? ''}${name}`}
          secret={props.secret}
          disabled={props.disabled}
        />
      ))}
    </Stack>
  );
}

function VariantFields(props: FieldsProps & { variants: JsonSchema[] }) {
  const labelId = useId();
  const selected = chosenVariant(props.variants, props.values);
  const choose = (index: string) => {
    // Fields the new shape shares keep their values; the others go (a strict schema refuses extras).
    const next = props.variants[Number(index)]!;
    const kept = Object.fromEntries(Object.entries(props.values).filter(([name]) => name in (next.properties ?? {})));
    props.onChange({ ...kept, [VARIANT_KEY]: Number(index) });
  };
  const shown = props.variants[selected]!;
  return (
    <Stack gap="sm">
      <div role="radiogroup" aria-labelledby={labelId}>
        <Text size="sm" fw={500} id={labelId}>
          Method
        </Text>
        <SegmentedControl
          value={String(selected)}
          onChange={choose}
          disabled={props.disabled}
          data={props.variants.map((entry, index) => ({ value: String(index), label: variantLabel(entry, index) }))}
          fullWidth
        />
      </div>
      <SchemaFields {...props} schema={{ ...shown, anyOf: undefined, oneOf: undefined }} />
    </Stack>
  );
}

interface FieldProps {
  name: string;
  schema: JsonSchema;
  required: boolean;
  value: unknown;
  onChange(value: unknown): void;
  errors: FieldErrors;
  path: string;
  secret?: boolean;
  disabled?: boolean;
}

function describe(schema: JsonSchema): string | undefined {
  const parts = [schema.description, schema.default !== undefined && typeof schema.default !== 'object' ? `Default: ${String(schema.default)}` : undefined];
  const text = parts.filter(Boolean).join(' · ');
  return text || undefined;
}

function SchemaField({ name, schema, required, value, onChange, errors, path, secret, disabled }: FieldProps) {
  const label = labelOf(name, schema);
  const description = describe(schema);
  const error = errors[path];
  const common = { label, description, required, error, disabled, name: path };
  const type = typeOf(schema);

  if (schema.enum && schema.enum.every((option) => typeof option === 'string')) {
    return (
      <Select
        {...common}
        data={schema.enum as string[]}
        value={typeof value === 'string' ? value : null}
        onChange={(next) => onChange(next ?? undefined)}
        clearable={!required}
        clearButtonProps={{ 'aria-label': `Clear ${label}` }}
        allowDeselect={!required}
        comboboxProps={{ withinPortal: true }}
      />
    );
  }
  if (type === 'integer' || type === 'number') {
    const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (type === 'integer' ? 1 : 0) : undefined);
    return (
      <NumberInput
        {...common}
        value={typeof value === 'number' ? value : ''}
        onChange={(next) => onChange(typeof next === 'number' ? next : undefined)}
        allowDecimal={type === 'number'}
        min={min}
        max={schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined}
      />
    );
  }
  if (type === 'boolean') {
    return <Switch {...common} checked={value === true} onChange={(event) => onChange(event.currentTarget.checked)} />;
  }
  if (type === 'array' && typeOf(schema.items ?? {}) === 'string') {
    return (
      <TagsInput
        {...common}
        description={[description, 'Press Enter after each value'].filter(Boolean).join(' · ')}
        value={Array.isArray(value) ? (value as string[]) : []}
        onChange={(next) => onChange(next)}
        clearable
        clearButtonProps={{ 'aria-label': `Clear ${label}` }}
      />
    );
  }
  if (type === 'object' && schema.properties) {
    return (
      <Fieldset legend={label} disabled={disabled}>
        {schema.description && (
          <Text size="sm" mb="xs">
            {schema.description}
          </Text>
        )}
        <SchemaFields
          schema={schema}
          values={value && typeof value === 'object' ? (value as FormValues) : {}}
          onChange={onChange}
          errors={errors}
          prefix={`${path}.`}
          secret={secret}
          disabled={disabled}
        />
      </Fieldset>
    );
  }
  const text = typeof value === 'string' ? value : '';
  // A PEM key is many lines: a text area, still never shown back after saving.
  if (schema.pattern?.includes('PRIVATE KEY') || /pem$/i.test(name)) {
    return (
      <Textarea {...common} value={text} onChange={(event) => onChange(event.currentTarget.value)} autosize minRows={4} classNames={{ input: 'hub-mono' }} />
    );
  }
  if (secret || schema.format === 'password' || isSecretName(name)) {
    return <PasswordInput {...common} value={text} onChange={(event) => onChange(event.currentTarget.value)} autoComplete="off" />;
  }
  return (
    <TextInput
      {...common}
      type={schema.format === 'uri' ? 'url' : schema.format === 'email' ? 'email' : 'text'}
      placeholder={schema.format === 'uri' ? 'https://…' : undefined}
      value={text}
      onChange={(event) => onChange(event.currentTarget.value)}
      autoComplete="off"
    />
  );
}
