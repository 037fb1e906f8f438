import { describe, expect, it } from "vitest";

import {
  characterCount,
  hasErrors,
  validateChatMessage,
  validateSignIn,
  validateSignUp,
  validateTaskInput,
} from "@/lib/validation";

describe("validateTaskInput", () => {
  it("accepts titles of 1 to 200 characters after trimming", () => {
    expect(validateTaskInput({ title: "a", description: "" })).toEqual({});
    expect(validateTaskInput({ title: `  ${"x".repeat(200)}  `, description: "" })).toEqual({});
  });

  it("rejects an empty or blank title", () => {
    expect(validateTaskInput({ title: "", description: "" }).title).toBe("Enter a title.");
    expect(validateTaskInput({ title: "   ", description: "" }).title).toBe("Enter a title.");
  });

  it("rejects a title over 200 characters", () => {
    expect(validateTaskInput({ title: "x".repeat(201), description: "" }).title).toMatch(/200 characters/);
  });

  it("counts an emoji as one character, as the backend does", () => {
    expect(characterCount("😀")).toBe(1);
    expect(validateTaskInput({ title: "😀".repeat(200), description: "" })).toEqual({});
  });

  it("limits the description to 1000 characters", () => {
    expect(validateTaskInput({ title: "t", description: "d".repeat(1000) })).toEqual({});
    expect(validateTaskInput({ title: "t", description: "d".repeat(1001) }).description).toMatch(/1000/);
  });
});

describe("account forms", () => {
  it("requires name, a plausible email and an 8–128 character password to sign up", () => {
    const errors = validateSignUp({ name: " ", email: "not-an-email", password: "short" });
    expect(errors).toEqual({
      name: "Enter your name.",
      email: expect.stringMatching(/valid email/),
      password: "Use at least 8 characters.",
    });
    expect(validateSignUp({ name: "Ada", email: "ada@example.com", password: "p".repeat(129) }).password).toBe(
      "Use at most 128 characters.",
    );
    expect(hasErrors(validateSignUp({ name: "Ada", email: "ada@example.com", password: "correct horse" }))).toBe(false);
  });

  it("requires an email and a password to sign in", () => {
    expect(validateSignIn({ email: "", password: "" })).toEqual({
      email: "Enter your email address.",
      password: "Enter your password.",
    });
    expect(validateSignIn({ email: "ada@example.com", password: "x" })).toEqual({});
  });
});

describe("validateChatMessage", () => {
  it("rejects blank and over-long messages", () => {
    expect(validateChatMessage("  ")).toBe("Type a message first.");
    expect(validateChatMessage("x".repeat(4001))).toMatch(/4000/);
    expect(validateChatMessage("x".repeat(4000))).toBeUndefined();
  });
});
