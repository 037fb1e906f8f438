"use client";

import { useSyncExternalStore } from "react";

const utcFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const localFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const subscribeToNothing = () => () => {};

/**
 * A timestamp in the reader's time zone and locale. The server (and hydration) render a fixed UTC form, so
 * the HTML matches whatever the browser's settings are; the local form replaces it right after hydration.
 */
export function LocalTime({ iso }: { iso: string }) {
  const hydrated = useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
  const date = new Date(iso);
  return <time dateTime={iso}>{hydrated ? localFormat.format(date) : `${utcFormat.format(date)} UTC`}</time>;
}
