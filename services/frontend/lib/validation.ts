/** Client-side checks mirroring the backend's limits, so people learn what to fix before a round trip. */

export const LIMITS = {
  titleMax: 200,
  descriptionMax: 1000,
  chatMax: 4000,
  nameMax: 100,
  passwordMin: 8,
  passwordMax: 128,
} as const;

export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

/** Length in Unicode code points, as the Python backend counts it (an emoji is one character, not two). */
export function characterCount(text: string): number {
  return Array.from(text).length;
}

export function validateTaskInput(input: { title: string; description: string }): FieldErrors<"title" | "description"> {
  const errors: FieldErrors<"title" | "description"> = {};
  const title = input.title.trim();
  if (title.length === 0) errors.title = "Enter a title.";
  else if (characterCount(title) > LIMITS.titleMax) errors.title = `Keep the title to ${LIMITS.titleMax} characters or fewer.`;
  if (characterCount(input.description) > LIMITS.descriptionMax) {
    errors.description = `Keep the description to ${LIMITS.descriptionMax} characters or fewer.`;
  }
  return errors;
}

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function emailError(email: string): string | undefined {
  const trimmed = email.trim();
  if (trimmed.length === 0) return "Enter your email address.";
  if (!EMAIL_SHAPE.test(trimmed)) return "Enter a valid email address, like name@example.com.";
  return undefined;
}

export function validateSignIn(input: { email: string; password: string }): FieldErrors<"email" | "password"> {
  const errors: FieldErrors<"email" | "password"> = {};
  const email = emailError(input.email);
  if (email) errors.email = email;
  if (input.password.length === 0) errors.password = "Enter your password.";
  return errors;
}

export function validateSignUp(input: {
  name: string;
  email: string;
  password: string;
}): FieldErrors<"name" | "email" | "password"> {
  const errors: FieldErrors<"name" | "email" | "password"> = {};
  const name = input.name.trim();
  if (name.length === 0) errors.name = "Enter your name.";
  else if (characterCount(name) > LIMITS.nameMax) errors.name = `Keep your name to ${LIMITS.nameMax} characters or fewer.`;
  const email = emailError(input.email);
  if (email) errors.email = email;
  const length = characterCount(input.password);
  if (length < LIMITS.passwordMin) errors.password = `Use at least ${LIMITS.passwordMin} characters.`;
  else if (length > LIMITS.passwordMax) errors.password = `Use at most ${LIMITS.passwordMax} characters.`;
  return errors;
}

export function validateChatMessage(message: string): string | undefined {
  if (message.trim().length === 0) return "Type a message first.";
  if (characterCount(message) > LIMITS.chatMax) return `Keep messages to ${LIMITS.chatMax} characters or fewer.`;
  return undefined;
}

export function hasErrors(errors: Record<string, string | undefined>): boolean {
  return Object.values(errors).some((value) => value !== undefined);
}
