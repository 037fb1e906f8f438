"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { ApiError, api } from "@/lib/api-client";
import { hasErrors, validateSignIn, validateSignUp, type FieldErrors } from "@/lib/validation";

import { InputField } from "./FormField";

type Field = "name" | "email" | "password";

export function AuthForm({ mode, notice }: { mode: "signin" | "signup"; notice?: string }) {
  const router = useRouter();
  const isSignUp = mode === "signup";
  const [values, setValues] = useState({ name: "", email: "", password: "" });
  const [fieldErrors, setFieldErrors] = useState<FieldErrors<Field>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  function update(field: Field, value: string) {
    setValues((current) => ({ ...current, [field]: value }));
    setFieldErrors((current) => ({ ...current, [field]: undefined }));
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const errors = isSignUp ? validateSignUp(values) : validateSignIn(values);
    setFieldErrors(errors);
    if (hasErrors(errors)) return;
    setSubmitting(true);
    setFormError(null);
    try {
      const email = values.email.trim();
      if (isSignUp) await api.signUp({ name: values.name.trim(), email, password: values.password });
      else await api.signIn({ email, password: values.password });
      router.replace("/tasks");
      router.refresh();
    } catch (error) {
      setFormError(
        error instanceof ApiError && error.status === 401 && !isSignUp
          ? "That email and password do not match an account."
          : error instanceof ApiError
            ? error.message
            : "Something went wrong. Please try again.",
      );
      setSubmitting(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-labelledby="auth-heading">
      <div>
        <h1 id="auth-heading" className="text-xl font-semibold text-slate-900">
          {isSignUp ? "Create your account" : "Sign in"}
        </h1>
        <p className="mt-1 text-sm text-slate-500">
          {isSignUp ? "It takes a few seconds." : "Welcome back. Your tasks are waiting."}
        </p>
      </div>
      {notice ? (
        <p role="status" className="alert-info">
          {notice}
        </p>
      ) : null}
      {formError ? (
        <p role="alert" className="alert-error">
          {formError}
        </p>
      ) : null}
      {isSignUp ? (
        <InputField
          id="name"
          label="Name"
          autoComplete="name"
          value={values.name}
          error={fieldErrors.name}
          onChange={(event) => update("name", event.target.value)}
        />
      ) : null}
      <InputField
        id="email"
        label="Email"
        type="email"
        autoComplete="email"
        inputMode="email"
        value={values.email}
        error={fieldErrors.email}
        onChange={(event) => update("email", event.target.value)}
      />
      <InputField
        id="password"
        label="Password"
        type="password"
        autoComplete={isSignUp ? "new-password" : "current-password"}
        hint={isSignUp ? "8–128 characters" : undefined}
        value={values.password}
        error={fieldErrors.password}
        onChange={(event) => update("password", event.target.value)}
      />
      <button type="submit" className="btn-primary w-full" disabled={submitting}>
        {submitting ? (isSignUp ? "Creating account…" : "Signing in…") : isSignUp ? "Create account" : "Sign in"}
      </button>
      <p className="text-center text-sm text-slate-600">
        {isSignUp ? "Already have an account? " : "New here? "}
        <Link href={isSignUp ? "/signin" : "/signup"} className="font-medium text-indigo-700 hover:underline">
          {isSignUp ? "Sign in" : "Create an account"}
        </Link>
      </p>
    </form>
  );
}
