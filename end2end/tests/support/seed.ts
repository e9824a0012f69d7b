/** Records put on the server through its API, the way devices send them: fixtures for the specs. */
import { APIRequestContext } from "@playwright/test";
import { expect } from "./server";

export type Mutation = { kind: string; payload: object; recorded_at?: string };

export async function push(api: APIRequestContext, csrf: string, mutations: Mutation[]) {
  const answer = await api.post("/api/v1/sync/push", {
    headers: { "x-csrf-token": csrf },
    data: {
      device_id: crypto.randomUUID(),
      mutations: mutations.map(({ kind, payload, recorded_at }) => ({
        id: crypto.randomUUID(),
        kind,
        recorded_at: recorded_at ?? new Date().toISOString(),
        payload,
      })),
    },
  });
  const outcomes = (await answer.json()).results.map((r: { outcome: string }) => r.outcome);
  expect(outcomes).toEqual(Array(mutations.length).fill("applied"));
}

export async function event(api: APIRequestContext, csrf: string, title: string, startsAt: string, goals: string[]) {
  const starts = new Date(startsAt);
  const answer = await api.post("/api/v1/events", {
    headers: { "x-csrf-token": csrf },
    data: {
      title,
      starts_at: starts.toISOString(),
      ends_at: new Date(starts.getTime() + 2 * 3600_000).toISOString(),
      location: "brzozowa_7",
      plan_goals: goals,
    },
  });
  expect(answer.status()).toBe(201);
  return (await answer.json()).id as string;
}

export const onPaper = (eventId: string, name: string, residentId?: string): Mutation => ({
  kind: "attendance.change",
  payload: {
    event_id: eventId,
    change: {
      change: "record",
      attendance_id: crypto.randomUUID(),
      attendee: { resident_id: residentId ?? null, name, district: "okolna" },
      proof: "paper",
      image_consent: null,
      walk_in: residentId === undefined,
    },
  },
});
export const approve = (eventId: string): Mutation => ({ kind: "attendance.change", payload: { event_id: eventId, change: { change: "approve" } } });

