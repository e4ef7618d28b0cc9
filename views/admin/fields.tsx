/** Form controls with their error message beside them; Pico styles aria-invalid and the <small>. */

type Errors = Record<string, string>;

export interface FieldProps {
  label: string;
  name: string;
  value?: string;
  errors?: Errors;
  /** The key of this field in `errors`, when it differs from its name. */
  errorKey?: string;
  type?: string;
  placeholder?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: string;
  readonly?: boolean;
  maxlength?: number;
  attrs?: Record<string, string>;
}

const errorId = (name: string) => `${name}-error`;

export const FieldError = ({ name, error }: { name: string; error?: string }) =>
  error ? <small id={errorId(name)} class="field-error" safe>{error}</small> : "";

export const Field = (p: FieldProps) => {
  const error = p.errors?.[p.errorKey ?? p.name];
  return (
    <label>
      <span safe>{p.label}</span>
      <input
        type={p.type ?? "text"}
        name={p.name}
        value={p.value ?? ""}
        placeholder={p.placeholder}
        required={p.required}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        readonly={p.readonly}
        maxlength={p.maxlength}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? errorId(p.name) : undefined}
        {...(p.attrs ?? {})}
      />
      {error ? <FieldError name={p.name} error={error} /> : p.hint ? <small safe>{p.hint}</small> : ""}
    </label>
  );
};

export const Checkbox = ({ label, name, checked, hint }: { label: string; name: string; checked: boolean; hint?: string }) => (
  <label>
    <input type="checkbox" name={name} value="on" checked={checked} role="switch" />
    <span safe>{label}</span>
    {hint ? <small safe>{hint}</small> : ""}
  </label>
);

export const FormAlert = ({ errors, saved }: { errors?: Errors; saved?: string }) => (
  <>
    {errors && Object.keys(errors).length ? (
      <p class="alert error" role="alert">Some fields need a look: the messages are next to them. Nothing was saved.</p>
    ) : ""}
    {saved ? <p class="alert ok" role="status" safe>{saved}</p> : ""}
  </>
);
