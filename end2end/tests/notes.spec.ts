import { Page } from "@playwright/test";
import { violations } from "./support/axe";
import { ACCOUNTS, apiAs, expect, openOnline, test } from "./support/server";

async function syncNow(page: Page) {
  await page.getByRole("button", { name: "Synchronizuj teraz" }).click();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 20_000 });
  await expect(page.getByTestId("sync-phase")).toHaveAttribute("data-phase", "idle");
}

test("a meeting note written offline survives a reload, is returned, corrected and approved", async ({ server, page, browser }) => {
  test.setTimeout(180_000);
  const { api, csrf } = await apiAs(server, ACCOUNTS.organiser.username);
  const created = await api.post("/api/v1/events", {
    headers: { "x-csrf-token": csrf },
    data: {
      title: "Kawiarenka sąsiedzka",
      starts_at: "2026-04-14T16:00:00Z",
      ends_at: "2026-04-14T18:00:00Z",
      location: "brzozowa_7",
      plan_goals: ["goal_3"],
    },
  });
  const eventUrl = `${server.url}/event?id=${(await created.json()).id}`;
  await api.dispose();

  // The volunteer writes the note after the meeting, without signal.
  const volunteer = page;
  await openOnline(volunteer, eventUrl);
  await expect(volunteer.getByText("Brak notatek.")).toBeVisible();
  await server.stop();
  await volunteer.context().setOffline(true);
  await volunteer.getByRole("button", { name: "Zapisz notatkę" }).click();
  await expect(volunteer.getByText("Wpisz treść notatki.")).toBeVisible();
  await volunteer.getByLabel("Nowa notatka (przebieg spotkania, ustalenia)").fill("Było 12 osób. Ustaliliśmy sprzątanie podwórka.");
  await volunteer.getByRole("button", { name: "Zapisz notatkę" }).click();
  const note = volunteer.getByTestId("meeting-note");
  await expect(note).toContainText("Czeka na wysłanie");
  await volunteer.reload();
  await expect(note).toContainText("Było 12 osób.");
  await expect(volunteer.getByLabel("Nowa notatka (przebieg spotkania, ustalenia)")).toHaveValue("");

  await server.start();
  await volunteer.context().setOffline(false);
  await expect(volunteer.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  await expect(note.getByTestId("note-state")).toHaveText("Czeka na akceptację");

  // The organiser finds it in the queue and returns it.
  const organiserContext = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const organiser = await organiserContext.newPage();
  await openOnline(organiser, `${server.url}/review`, ACCOUNTS.organiser.username);
  const item = organiser.getByTestId("review-item").filter({ hasText: "Notatka ze spotkania" });
  await expect(item).toContainText("Kawiarenka sąsiedzka");
  await item.getByRole("link", { name: "Kawiarenka sąsiedzka" }).click();
  const organiserNote = organiser.getByTestId("meeting-note");
  await organiserNote.getByRole("button", { name: "Zwróć do poprawy" }).click();
  await organiserNote.getByRole("button", { name: "Zwróć z tym komentarzem" }).click();
  await expect(organiserNote.getByRole("alert")).toHaveText("Napisz, co poprawić.");
  await organiserNote.getByLabel("Co poprawić?").fill("Dopisz, kto prowadził.");
  await organiserNote.getByRole("button", { name: "Zwróć z tym komentarzem" }).click();
  await expect(organiserNote.getByTestId("note-state")).toHaveText("Zwrócona do poprawy");
  await expect(organiserNote.getByTestId("note-comment")).toHaveText("Olga Organizator: Dopisz, kto prowadził.");
  await syncNow(organiser);

  // The author corrects it; it goes back to the queue, and the organiser approves it.
  await syncNow(volunteer);
  await expect(note.getByTestId("note-state")).toHaveText("Zwrócona do poprawy");
  await expect(note.getByTestId("note-comment")).toHaveText("Olga Organizator: Dopisz, kto prowadził.");
  expect(await violations(volunteer), "event page with a returned note").toEqual([]);
  await note.getByRole("button", { name: "Popraw notatkę" }).click();
  await note.getByLabel("Poprawiona treść notatki").fill("Prowadziła Olga. Było 12 osób.");
  await note.getByRole("button", { name: "Zapisz notatkę" }).click();
  await expect(note.getByTestId("note-state")).toHaveText("Czeka na akceptację");
  await syncNow(volunteer);
  await syncNow(organiser);
  await expect(organiserNote).toContainText("Prowadziła Olga.");
  await organiserNote.getByRole("button", { name: "Zatwierdź notatkę" }).click();
  await expect(organiserNote.getByTestId("note-state")).toHaveText("Zatwierdzona");
  await syncNow(organiser);
  await syncNow(volunteer);
  await expect(note.getByTestId("note-state")).toHaveText("Zatwierdzona");
  await expect(note.getByRole("button", { name: "Popraw notatkę" })).toHaveCount(0);
  await organiserContext.close();
});
