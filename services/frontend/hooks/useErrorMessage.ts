"use client";

import { useRouter } from "next/navigation";
import { useCallback } from "react";

import { ApiError } from "@/lib/api-client";

/**
 * Turns a failed call into the sentence to show; when the session is gone (401) it also sends the person
 * to the sign-in page.
 */
export function useErrorMessage(): (error: unknown) => string {
  const router = useRouter();
  return useCallback(
    (error: unknown) => {
      if (error instanceof ApiError) {
        if (error.isUnauthorized) router.replace("/signin?reason=expired");
        return error.message;
      }
      return "Something went wrong. Please try again.";
    },
    [router],
  );
}
