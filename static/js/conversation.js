// The conversation screens: choosing and placing cards, autosave that survives a reload or a
// dropped connection, and telling the server which revision this page has seen.
"use strict";

(function () {
  const CLIENT_KEY = "arbejdsglaede.client";
  const DRAFT_PREFIX = "arbejdsglaede.draft:";

  function clientId() {
    let id = sessionStorage.getItem(CLIENT_KEY);
    if (!id) {
      id = Math.random().toString(36).slice(2) + Date.now().toString(36);
      sessionStorage.setItem(CLIENT_KEY, id);
    }
    return id;
  }

  function revision() {
    const holder = document.querySelector("[data-revision]");
    return holder ? holder.dataset.revision : "";
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers:inherited") || "{}")["x-csrftoken"] || "";
    } catch (e) {
      return "";
    }
  }

  document.addEventListener("htmx:config:request", (event) => {
    const headers = event.detail.ctx.request.headers;
    headers["X-Client"] = clientId();
    headers["X-Revision"] = revision();
  });

  // ------------------------------------------------------------ connection
  const banner = () => document.getElementById("offline");
  function setOffline(isOffline) {
    const el = banner();
    if (el) el.hidden = !isOffline;
  }
  document.addEventListener("htmx:error", () => setOffline(true));
  document.addEventListener("htmx:after:request", (event) => {
    const response = event.detail.ctx && event.detail.ctx.response;
    if (response) setOffline(false);
  });
  window.addEventListener("online", () => { setOffline(false); flushDrafts(); });
  window.addEventListener("offline", () => setOffline(true));

  // ------------------------------------------------------------ drafts
  // Every keystroke is kept in this browser until the server has it, so a reload, a swap of
  // the surrounding fragment or a dropped connection loses nothing that was typed.
  function draftKey(field) { return DRAFT_PREFIX + field.dataset.autosave + "#" + field.name; }

  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!(field instanceof HTMLTextAreaElement) || !field.dataset.autosave) return;
    localStorage.setItem(draftKey(field), JSON.stringify({ value: field.value, url: field.dataset.autosave, name: field.name }));
  });

  document.addEventListener("htmx:after:request", (event) => {
    const ctx = event.detail.ctx;
    const field = ctx && ctx.sourceElement;
    if (!field || !(field instanceof HTMLTextAreaElement) || !field.dataset.autosave) return;
    if (ctx.response && ctx.response.status < 300) {
      const stored = localStorage.getItem(draftKey(field));
      if (stored && JSON.parse(stored).value === field.value) localStorage.removeItem(draftKey(field));
    }
  });

  function restoreDrafts(root) {
    root.querySelectorAll("textarea[data-autosave]").forEach((field) => {
      const stored = localStorage.getItem(draftKey(field));
      if (!stored) return;
      const draft = JSON.parse(stored);
      if (draft.value === field.value) {
        localStorage.removeItem(draftKey(field));
      } else if (!field.readOnly) {
        field.value = draft.value;
        send(draft);
      }
    });
  }

  function send(draft) {
    const body = new URLSearchParams();
    body.set(draft.name, draft.value);
    const key = DRAFT_PREFIX + draft.url + "#" + draft.name;
    return fetch(draft.url, {
      method: "POST",
      headers: { "x-csrftoken": csrfToken(), "X-Client": clientId(), "HX-Request": "true" },
      body,
      credentials: "same-origin",
    }).then((response) => {
      setOffline(false);
      if (response.ok) {
        const now = localStorage.getItem(key);
        if (now && JSON.parse(now).value === draft.value) localStorage.removeItem(key);
      }
    }).catch(() => setOffline(true));
  }

  function flushDrafts() {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (key && key.startsWith(DRAFT_PREFIX)) send(JSON.parse(localStorage.getItem(key)));
    }
  }

  document.addEventListener("DOMContentLoaded", () => { restoreDrafts(document); flushDrafts(); });
  document.addEventListener("htmx:after:swap", () => restoreDrafts(document));
  // A failed note save is retried every few seconds while the page is open.
  setInterval(() => { if (navigator.onLine) flushDrafts(); }, 5000);

  // ------------------------------------------------------------ show and hide
  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const opener = target.closest("[data-show]");
    if (opener) {
      const form = document.getElementById(opener.dataset.show);
      if (form) {
        form.hidden = false;
        opener.setAttribute("aria-expanded", "true");
        const first = form.querySelector("textarea, input:not([type=hidden])");
        if (first) first.focus();
      }
      return;
    }
    const closer = target.closest("[data-hide]");
    if (closer) {
      const form = document.getElementById(closer.dataset.hide);
      if (form) form.hidden = true;
    }
  });
  document.addEventListener("htmx:before:request", (event) => {
    // One submit at a time: a double tap on "Save agreement" sends the form once.
    const form = event.detail.ctx && event.detail.ctx.sourceElement;
    if (form instanceof HTMLFormElement) form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; });
  });

  // ------------------------------------------------------------ the board
  let selected = null;

  function paint() {
    document.querySelectorAll(".card-place").forEach((card) => card.setAttribute("aria-pressed", String(card === selected)));
    document.querySelectorAll(".board-row .place-here").forEach((button) => {
      button.disabled = !selected || button.closest(".board-row").classList.contains("is-full");
    });
    document.body.classList.toggle("has-selection", Boolean(selected));
  }

  function select(card) {
    selected = card && card.dataset.cardId !== (selected && selected.dataset.cardId) ? card : null;
    paint();
  }

  // The swap replaces the button that was pressed: focus goes on to the card itself, where
  // it went (on the board, or back in the tray), or on from the agreement, not to the top of
  // the page.
  let focusAfterSwap = null;
  const onBoard = (cardId) => `#board .placed-image[data-card-id="${cardId}"]`;

  function place(row, cardId) {
    if (!row.dataset.placeUrl || !cardId) return;
    focusAfterSwap = onBoard(cardId);
    htmx.ajax("POST", row.dataset.placeUrl, {
      source: row, target: "#board", swap: "outerHTML", values: { card_id: cardId },
    });
    select(null);
  }

  document.addEventListener("htmx:before:request", (event) => {
    const source = event.detail.ctx && event.detail.ctx.sourceElement;
    // An agreement saved or deleted: on to its "Edit" button, or to "Add agreement".
    const form = source instanceof Element && source.closest("#agreements-area form.agreement-form");
    if (form || (source instanceof Element && source.closest("#agreements-area .agreement-actions"))) {
      const id = form && form.id.replace("agreement-form-", "");
      focusAfterSwap = id && id !== "new" ? `#agreement-${id} [data-show]` : ".agreement-add [data-show]";
      return;
    }
    const button = source instanceof Element && source.closest("#board .placed-actions button");
    const image = button && button.closest(".placed").querySelector(".placed-image");
    if (!image) return;
    const cardId = image.dataset.cardId;
    focusAfterSwap = button.classList.contains("remove") ? `#tray-${cardId} .card-place` : onBoard(cardId);
  });

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const card = target.closest(".card-place");
    if (card && !card.disabled) { select(card); return; }
    const row = target.closest(".board-row");
    if (!row || !selected) return;
    // Controls inside the row keep their own meaning; the rest of the row is the target.
    const control = target.closest("button, textarea, input, a, label");
    if (control && !control.classList.contains("place-here")) return;
    place(row, selected.dataset.cardId);
  });

  document.addEventListener("dragstart", (event) => {
    const card = event.target instanceof Element && event.target.closest(".card-place");
    if (card) { event.dataTransfer.setData("text/plain", card.dataset.cardId); select(card); }
  });
  document.addEventListener("dragover", (event) => {
    if (event.target instanceof Element && event.target.closest(".board-row[data-place-url]")) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    const row = event.target instanceof Element && event.target.closest(".board-row[data-place-url]");
    if (!row) return;
    event.preventDefault();
    place(row, event.dataTransfer.getData("text/plain"));
  });
  // A change on the board swaps the rows and the tray cards it changed; a card still chosen
  // in the tray stays chosen, unless it went onto the board.
  document.addEventListener("htmx:after:swap", (event) => {
    const response = event.detail.ctx && event.detail.ctx.response;
    // A refusal (its message swapped into #messages) leaves the focus where the person is.
    if (response && response.status >= 400) focusAfterSwap = null;
    const id = selected && selected.dataset.cardId;
    const card = id && document.querySelector(`.card-place[data-card-id="${id}"]`);
    selected = card && !card.disabled ? card : null;
    paint();
    // Kept until the board's own answer arrives: a note saved meanwhile swaps first.
    const focus = focusAfterSwap && document.querySelector(focusAfterSwap);
    if (focus) { focusAfterSwap = null; focus.focus(); }
  });
})();
