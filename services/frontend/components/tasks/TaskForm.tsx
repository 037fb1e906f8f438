"use client";

import { useEffect, useState, type FormEvent } from "react";

import { useErrorMessage } from "@/hooks/useErrorMessage";
import type { TaskInput } from "@/lib/types";
import { LIMITS, characterCount, hasErrors, validateTaskInput, type FieldErrors } from "@/lib/validation";

import { InputField, TextAreaField } from "../FormField";

export interface TaskFormProps {
  idPrefix: string;
  initial?: TaskInput;
  submitLabel: string;
  busyLabel: string;
  /** Throws on failure; the form then shows the message and keeps what was typed. */
  onSubmit: (input: TaskInput) => Promise<void>;
  onCancel?: () => void;
  clearOnSuccess?: boolean;
  /** Put the focus in the title field when the form appears (it replaces what the user just pressed). */
  focusTitle?: boolean;
}

const EMPTY: TaskInput = { title: "", description: "" };

export function TaskForm({
  idPrefix,
  initial = EMPTY,
  submitLabel,
  busyLabel,
  onSubmit,
  onCancel,
  clearOnSuccess = false,
  focusTitle = false,
}: TaskFormProps) {
  const toMessage = useErrorMessage();
  const [values, setValues] = useState<TaskInput>(initial);
  const [errors, setErrors] = useState<FieldErrors<"title" | "description">>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    if (focusTitle) document.getElementById(`${idPrefix}-title`)?.focus();
  }, [focusTitle, idPrefix]);

  function update(field: keyof TaskInput, value: string) {
    setValues((current) => ({ ...current, [field]: value }));
    setErrors((current) => ({ ...current, [field]: undefined }));
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = validateTaskInput(values);
    setErrors(found);
    if (hasErrors(found)) return;
    setSubmitting(true);
    setFormError(null);
    try {
      await onSubmit({ title: values.title.trim(), description: values.description });
      if (clearOnSuccess) setValues(EMPTY);
    } catch (error) {
      setFormError(toMessage(error));
    } finally {
      setSubmitting(false);
    }
  }

  const titleCount = characterCount(values.title.trim());
  const descriptionCount = characterCount(values.description);
  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      {formError ? (
        <p role="alert" className="alert-error">
          {formError}
        </p>
      ) : null}
      <InputField
        id={`${idPrefix}-title`}
        label="Title"
        placeholder="What needs doing?"
        value={values.title}
        error={errors.title}
        hint={titleCount > LIMITS.titleMax * 0.8 ? `${titleCount}/${LIMITS.titleMax}` : undefined}
        onChange={(event) => update("title", event.target.value)}
      />
      <TextAreaField
        id={`${idPrefix}-description`}
        label="Description (optional)"
        rows={2}
        placeholder="Details, links, notes…"
        value={values.description}
        error={errors.description}
        hint={descriptionCount > LIMITS.descriptionMax * 0.8 ? `${descriptionCount}/${LIMITS.descriptionMax}` : undefined}
        onChange={(event) => update("description", event.target.value)}
      />
      <div className="flex justify-end gap-2">
        {onCancel ? (
          <button type="button" className="btn-secondary" onClick={onCancel} disabled={submitting}>
            Cancel
          </button>
        ) : null}
        <button type="submit" className="btn-primary" disabled={submitting}>
          {submitting ? busyLabel : submitLabel}
        </button>
      </div>
    </form>
  );
}
