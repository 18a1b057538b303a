"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { createFlagAction } from "@/lib/flags/server-actions";
import type { FlagType } from "@/lib/db/schema/flags";
import { Field } from "../field";
import { SubmitButton, useActionForm } from "../ui/action-form";
import { ValueEditor, type Draft } from "../value-editor";

const DEFAULTS: Record<FlagType, unknown> = { boolean: false, string: "", number: 0, json: {} };

/** Creates a flag; its default value is served in every environment until someone changes it. */
export function CreateFlagForm({ namespaces, initialNamespace }: { namespaces: string[]; initialNamespace: string }) {
  const router = useRouter();
  const [type, setType] = useState<FlagType>("boolean");
  const [draft, setDraft] = useState<Draft>({ ok: true, value: DEFAULTS.boolean });
  const { onSubmit, pending, fieldError, result } = useActionForm(createFlagAction, {
    refresh: false,
    input: (fd) =>
      draft.ok
        ? { namespace: fd.get("namespace"), key: fd.get("key"), type, description: fd.get("description"), tags: fd.get("tags"), defaultValue: draft.value, reason: fd.get("reason") }
        : null,
    onDone: (flag) => router.push(`/flags/${flag.namespace}/${flag.key}`),
  });
  return (
    <form className="panel stack" style={{ maxWidth: 720 }} onSubmit={onSubmit}>
      {result && !result.ok && !result.fieldErrors && <p className="alert error" role="alert">{result.message}</p>}
      <div className="form-grid">
        <Field label="Namespace" error={fieldError("namespace")}>
          <select name="namespace" defaultValue={initialNamespace}>
            {namespaces.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </Field>
        <Field label="Key" hint="a-z, 0-9, '.', '_' or '-'; SDKs look the flag up by it" error={fieldError("key")}>
          <input name="key" type="text" required maxLength={128} pattern="[a-z0-9][a-z0-9._\-]*" autoComplete="off" />
        </Field>
        <Field label="Type" hint="Fixed once created" error={fieldError("type")}>
          <select
            name="type"
            value={type}
            onChange={(e) => {
              const t = e.target.value as FlagType;
              setType(t);
              setDraft({ ok: true, value: DEFAULTS[t] });
            }}
          >
            <option value="boolean">boolean (on/off)</option>
            <option value="string">string</option>
            <option value="number">number</option>
            <option value="json">JSON</option>
          </select>
        </Field>
      </div>
      <Field label="Description" error={fieldError("description")}>
        <input name="description" type="text" maxLength={2000} />
      </Field>
      <Field label="Tags" hint="Comma-separated, e.g. team:checkout, experiment" error={fieldError("tags") ?? fieldError("tags.0")}>
        <input name="tags" type="text" />
      </Field>
      <fieldset className="stack" style={{ border: "none", padding: 0, margin: 0 }}>
        <legend style={{ fontWeight: 600, marginBottom: "0.25rem" }}>Default value (served in every environment)</legend>
        <ValueEditor key={type} type={type} initial={DEFAULTS[type]} label="Default value" onChange={setDraft} />
        {fieldError("defaultValue") && <span className="error">{fieldError("defaultValue")}</span>}
      </fieldset>
      <Field label="Reason" hint="Recorded in the audit history" error={fieldError("reason")}>
        <input name="reason" type="text" maxLength={1000} />
      </Field>
      <SubmitButton pending={pending} label="Create flag" disabled={!draft.ok} />
    </form>
  );
}
