// The conversation screens: cards that answer a tap in the next frame, a queue of taps that
// survives a dropped connection, notes kept until the server has them, messages beside their
// cause, and the agenda's minutes counting up.
"use strict";

(function () {
  const CLIENT_KEY = "arbejdsglaede.client";
  const DRAFT_PREFIX = "arbejdsglaede.draft:";
  const QUEUE_PREFIX = "arbejdsglaede.taps:";
  const SEEN_PREFIX = "arbejdsglaede.seen:";

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

  const shell = () => document.querySelector(".conversation-shell[data-conversation]");

  document.addEventListener("htmx:config:request", (event) => {
    const headers = event.detail.ctx.request.headers;
    headers["X-Client"] = clientId();
    headers["X-Revision"] = revision();
  });

  // ------------------------------------------------------------ connection
  function setOffline(isOffline) {
    const el = document.getElementById("offline");
    if (el) el.hidden = !isOffline;
  }
  // The server answered "try again" (503: its database is away or overloaded): what was
  // tapped waits on this tablet and is sent again by itself; the banner says so meanwhile.
  function setBusy(isBusy) {
    const el = document.getElementById("busy");
    if (el) el.hidden = !isBusy;
  }
  window.addEventListener("online", () => { setOffline(false); flushDrafts(); pump(); });
  window.addEventListener("offline", () => setOffline(true));

  // ------------------------------------------------------------ messages beside their cause
  // A refusal shows next to the card, row or field that caused it, is read out by screen
  // readers, and goes away by itself or with the next change that succeeds. It floats over
  // the page, so Back and Next never move.
  let bubble = null;
  let bubbleTimer = 0;

  function clearMessage() {
    if (bubble) { bubble.remove(); bubble = null; }
    clearTimeout(bubbleTimer);
  }

  // ``text`` is a string, or the server's message itself when it holds a link ("Reload").
  function showMessage(cause, text) {
    clearMessage();
    if (!text) return;
    const anchor = (cause && cause.isConnected && (cause.closest(".pick-cell, .board-row, .placed, .field, .form-row, form, .step-nav, .agreement") || cause.parentElement)) || document.querySelector(".step");
    bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.setAttribute("role", "alert");
    if (typeof text === "string") bubble.textContent = text; else bubble.append(...text.childNodes);
    anchor.classList.add("has-bubble");
    anchor.appendChild(bubble);
    // Near the bottom of the screen the message goes above its cause.
    const box = anchor.getBoundingClientRect();
    if (box.bottom + 80 > window.innerHeight) bubble.classList.add("is-above");
    // A message with something to do (a link) stays until it is done.
    if (bubble.querySelector("a")) bubble.classList.add("is-actionable");
    else bubbleTimer = setTimeout(clearMessage, 6000);
  }

  function messageOf(html) {
    const holder = document.createElement("template");
    holder.innerHTML = html;
    const message = holder.content.querySelector(".message") || holder.content;
    if (message.querySelector("a")) return message;
    return (message.textContent || "").replace(/\s+/g, " ").trim();
  }

  // htmx requests (notes, forms, buttons) in a conversation: an error answer is shown beside
  // the element that sent it, instead of being swapped into the page.
  document.addEventListener("htmx:before:swap", (event) => {
    const ctx = event.detail.ctx;
    const response = ctx && ctx.response;
    if (!response || response.status < 400 || !shell()) return;
    event.preventDefault();
    showMessage(ctx.sourceElement, messageOf(String(ctx.text || "")));
  });
  document.addEventListener("htmx:error", (event) => {
    const ctx = event.detail.ctx;
    if (ctx && ctx.response) return;
    setOffline(true);
    const source = ctx && ctx.sourceElement;
    // A note is kept in this browser and sent again; anything else was not done.
    if (source instanceof HTMLTextAreaElement && source.dataset.autosave) return;
    const offline = document.getElementById("offline");
    showMessage(source, offline ? offline.dataset.notSent || "" : "");
  });
  document.addEventListener("htmx:after:request", (event) => {
    const response = event.detail.ctx && event.detail.ctx.response;
    if (response) { setOffline(false); setBusy(response.status === 503); }
    if (response && response.ok && shell()) clearMessage();
  });

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
      // The page came from the server with these words: the server has them.
      if (draft.value === field.defaultValue) {
        localStorage.removeItem(draftKey(field));
      } else if (draft.value !== field.value && !field.readOnly) {
        field.value = draft.value;
        sendDraft(draft);
      }
    });
  }

  function sendDraft(draft) {
    const body = new URLSearchParams();
    body.set(draft.name, draft.value);
    const key = DRAFT_PREFIX + draft.url + "#" + draft.name;
    return fetch(draft.url, {
      method: "POST",
      headers: { "x-csrftoken": csrfToken(), "X-Client": clientId(), "HX-Request": "true" },
      body,
      credentials: "same-origin",
    }).then((response) => response.text().then((text) => {
      setOffline(false);
      setBusy(response.status === 503);
      if (!response.ok) return;
      const now = localStorage.getItem(key);
      if (now && JSON.parse(now).value === draft.value) localStorage.removeItem(key);
      // The field says "saved" as when htmx sent it.
      document.querySelectorAll("textarea[data-autosave]").forEach((field) => {
        const state = field.dataset.autosave === draft.url && document.getElementById(field.id + "-state");
        if (state && field.value === draft.value) state.innerHTML = text;
      });
    })).catch(() => setOffline(true));
  }

  function flushDrafts() {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (key && key.startsWith(DRAFT_PREFIX)) sendDraft(JSON.parse(localStorage.getItem(key)));
    }
  }

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

  // ------------------------------------------------------------ the queue of taps
  // A tap changes the page at once and joins a queue that is sent in order, one at a time.
  // The queue is kept in this browser: taps made while the connection is down are sent when
  // it is back, and survive a reload. Every tap says what it wants ("this card chosen", "this
  // card in that row"), so sending one again is safe. The server's answer is applied when no
  // later tap is waiting (it would only show an older state for a moment); when the server
  // refuses, the tap's own change is undone on the page and the message shows beside it.
  const queueKey = () => QUEUE_PREFIX + (shell() ? shell().dataset.conversation : "");
  let queue = [];
  let sending = false;
  let retryTimer = 0;
  let restored = false; // taps from an earlier visit of the page: redraw from the server after

  function loadQueue() {
    try { queue = JSON.parse(localStorage.getItem(queueKey()) || "[]"); } catch (e) { queue = []; }
  }
  function saveQueue() {
    if (queue.length) localStorage.setItem(queueKey(), JSON.stringify(queue));
    else localStorage.removeItem(queueKey());
  }

  function enqueue(tap) {
    queue.push(tap);
    saveQueue();
    pump();
  }

  function pump() {
    if (sending || !queue.length) return;
    sending = true;
    const tap = queue[0];
    const body = new URLSearchParams(tap.values || {});
    fetch(tap.url, {
      method: "POST",
      headers: {
        "x-csrftoken": csrfToken(), "X-Client": clientId(), "X-Revision": revision(),
        "HX-Request": "true", "HX-Request-Type": "partial",
      },
      body,
      credentials: "same-origin",
    }).then((response) => response.text().then((text) => {
      setOffline(false);
      setBusy(response.status === 503);
      if (response.status === 503) {
        // The server is too busy to save it now (nothing was saved): the tap stays first in
        // the queue, shown as done, and is sent again when the server says.
        sending = false;
        const seconds = Math.min(30, Math.max(1, Number(response.headers.get("Retry-After")) || 3));
        clearTimeout(retryTimer);
        retryTimer = setTimeout(pump, seconds * 1000);
        return;
      }
      queue.shift();
      saveQueue();
      sending = false;
      if (response.ok) {
        rememberRevision(text);
        if (!queue.length && restored) { restored = false; resync(); } else if (!queue.length) apply(tap, text);
        else offerUndo(text);
      } else {
        refused(tap, messageOf(text));
      }
      pump();
    })).catch(() => {
      // The connection is down: the tap stays first in the queue, shown as done.
      sending = false;
      setOffline(true);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(pump, 3000);
    });
  }

  // The newest revision of the conversation this browser has had confirmed. A reload while a
  // tap was on its way can get a page read before that tap was saved: the tap's answer then
  // reaches the old page and empties the queue, and the new page shows the card as it was.
  // Such a page is older than what this browser knows, and is read again from the server.
  const seenKey = () => SEEN_PREFIX + (shell() ? shell().dataset.conversation : "");
  function rememberRevision(text) {
    const found = /data-revision="(\d+)"/.exec(text);
    const seen = Number(localStorage.getItem(seenKey()) || 0);
    if (found && Number(found[1]) > seen) localStorage.setItem(seenKey(), found[1]);
  }
  function isOlderThanSeen() {
    const here = revision();
    return here !== "" && Number(here) < Number(localStorage.getItem(seenKey()) || 0);
  }

  function apply(tap, text) {
    const target = document.querySelector(tap.target);
    if (!target) return resync();
    // A note being typed when the answer replaces it keeps the focus and the caret; its words
    // come back from the draft kept in this browser (restoreDrafts).
    const typing = document.activeElement instanceof HTMLTextAreaElement ? document.activeElement : null;
    const caret = typing && [typing.id, typing.selectionStart, typing.selectionEnd];
    htmx.swap({ text, target, swap: "outerHTML", sourceElement: target });
    afterChange(tap);
    const again = caret && !typing.isConnected && document.getElementById(caret[0]);
    if (again) { again.focus(); again.setSelectionRange(caret[1], caret[2]); }
  }

  // An answer not applied (a later tap is on its way) still brings its "Undo".
  function offerUndo(text) {
    const region = document.getElementById("undo");
    const page = new DOMParser().parseFromString(text, "text/html");
    const offered = page.getElementById("undo");
    if (!region || !offered || !offered.children.length) return;
    region.replaceChildren(...[...offered.childNodes].map((node) => document.adoptNode(node)));
    htmx.process(region);
  }

  // The page's own view is put right from the server: after a refusal whose tap cannot be
  // undone on the page alone, or after taps sent from an earlier visit of the page.
  function resync() {
    return fetch(location.href, { credentials: "same-origin" }).then((r) => r.text()).then((html) => {
      const page = new DOMParser().parseFromString(html, "text/html");
      for (const selector of ["#board", "#chosen", "#tray-cards", ".pick-grid-status"]) {
        const fresh = page.querySelector(selector);
        const here = document.querySelector(selector);
        if (fresh && here) { here.replaceWith(document.adoptNode(fresh)); htmx.process(document.querySelector(selector)); }
      }
      select(null);
      restoreDrafts(document);
    }).catch(() => setOffline(true));
  }

  function refused(tap, text) {
    const undo = undoers[tap.kind];
    if (undo && !queue.length) undo(tap);
    else resync();
    showMessage(causeOf(tap), text);
  }

  function causeOf(tap) {
    if (tap.kind === "pick") return document.getElementById(tap.cardDomId);
    if (tap.kind === "place") return document.querySelector(`.board-row[data-row="${tap.row}"]`);
    return document.querySelector(`#board .placed[data-pick-id="${tap.pickId}"]`) || document.getElementById("board");
  }

  // ------------------------------------------------------------ status cards
  const undoers = {
    pick(tap) {
      const card = document.getElementById(tap.cardDomId);
      if (card) card.setAttribute("aria-pressed", String(tap.values.picked !== "true"));
      paintCount();
    },
  };

  function paintCount() {
    const count = document.querySelector("#chosen .count-now");
    if (count) count.textContent = String(document.querySelectorAll('.pick-grid-status .card-pick[aria-pressed="true"]').length);
  }

  function tapStatusCard(card) {
    const grid = card.closest(".pick-grid-status");
    const picked = card.getAttribute("aria-pressed") !== "true";
    if (picked) {
      const max = Number(grid.dataset.max || 3);
      const chosen = grid.querySelectorAll('.card-pick[aria-pressed="true"]').length;
      if (chosen >= max) { showMessage(card, grid.dataset.refuseFull); return; }
    }
    card.setAttribute("aria-pressed", String(picked));
    paintCount();
    clearMessage();
    enqueue({ kind: "pick", url: card.dataset.pickUrl, values: { picked: String(picked) }, target: "#" + card.id, cardDomId: card.id });
  }

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

  function rowOf(name) { return document.querySelector(`.board-row[data-row="${name}"]`); }
  function cardsIn(row) { return row.querySelectorAll(".row-cards .placed").length; }
  function maxPerRow() { const area = document.getElementById("board-area"); return Number((area && area.dataset.maxPerRow) || 3); }

  function markFull(row) { row.classList.toggle("is-full", cardsIn(row) >= maxPerRow()); }

  // The card takes the row's first free place at once; the server's answer fills in its note.
  function putInRow(row, li) {
    const slot = row.querySelector(".row-cards .slot");
    if (slot) slot.replaceWith(li); else row.querySelector(".row-cards").appendChild(li);
    markFull(row);
  }
  function emptySlot() {
    const slot = document.createElement("li");
    slot.className = "slot";
    slot.setAttribute("aria-hidden", "true");
    return slot;
  }
  function takeFromRow(li) {
    const row = li.closest(".board-row");
    row.querySelector(".row-cards").appendChild(emptySlot());
    li.remove();
    markFull(row);
  }
  function refuseFull(row) { showMessage(row, document.getElementById("board-area").dataset.refuseFull); }
  function trayCell(cardId) { return document.getElementById("tray-" + cardId); }
  function setInTray(cardId, onBoard) {
    const cell = trayCell(cardId);
    if (!cell) return;
    cell.classList.toggle("is-placed", onBoard);
    const button = cell.querySelector(".card-place");
    button.disabled = onBoard;
    if (onBoard) button.removeAttribute("draggable"); else button.setAttribute("draggable", "true");
  }

  let focusAfterSwap = null;

  function place(row, cardId, fromKeyboard) {
    if (!row.dataset.placeUrl || !cardId) return;
    select(null);
    if (cardsIn(row) >= maxPerRow()) { refuseFull(row); return; }
    const cell = trayCell(cardId);
    if (!cell || cell.classList.contains("is-placed")) return;
    const source = cell.querySelector(".card-place");
    const li = document.createElement("li");
    li.className = "placed is-pending";
    li.dataset.cardId = cardId;
    const card = source.cloneNode(true);
    card.className = "card card-word placed-card";
    card.removeAttribute("aria-pressed");
    card.removeAttribute("draggable");
    card.disabled = false;
    card.id = "placed-" + cardId;
    li.appendChild(card);
    putInRow(row, li);
    setInTray(cardId, true);
    clearMessage();
    if (fromKeyboard) { focusAfterSwap = "#placed-" + cardId; card.focus(); }
    enqueue({ kind: "place", url: row.dataset.placeUrl, values: { card_id: cardId }, target: "#board", row: row.dataset.row, cardId });
  }

  function move(li, rowName, url) {
    const row = rowOf(rowName);
    if (!row) return;
    if (cardsIn(row) >= maxPerRow()) { refuseFull(row); return; }
    const oldRow = li.closest(".board-row");
    const from = oldRow.dataset.row;
    li.replaceWith(emptySlot());
    markFull(oldRow);
    putInRow(row, li);
    clearMessage();
    focusAfterSwap = "#placed-" + li.dataset.cardId;
    enqueue({ kind: "move", url, values: { row: rowName }, target: "#board", pickId: li.dataset.pickId, from });
  }

  function remove(li, url) {
    const cardId = li.dataset.cardId;
    takeFromRow(li);
    setInTray(cardId, false);
    clearMessage();
    focusAfterSwap = `#tray-${cardId} .card-place`;
    enqueue({ kind: "remove", url, values: {}, target: "#board", pickId: li.dataset.pickId, cardId });
  }

  function afterChange(tap) {
    const id = selected && selected.dataset.cardId;
    const card = id && document.querySelector(`.card-place[data-card-id="${id}"]`);
    selected = card && !card.disabled ? card : null;
    paint();
    restoreDrafts(document);
    const focus = focusAfterSwap && document.querySelector(focusAfterSwap);
    if (focus && tap.kind !== "pick" && document.activeElement && (document.activeElement === document.body || !document.activeElement.isConnected || document.activeElement.closest(".placed-menu, .placed, .card-place, .place-here"))) focus.focus();
    focusAfterSwap = null;
  }

  // An agreement saved or deleted: the focus goes on to its "Edit" button, or to "Add
  // agreement", not to the top of the page.
  let agreementFocus = null;
  document.addEventListener("htmx:before:request", (event) => {
    const source = event.detail.ctx && event.detail.ctx.sourceElement;
    if (!(source instanceof Element)) return;
    const form = source.closest("#agreements-area form.agreement-form");
    if (!form && !source.closest("#agreements-area .agreement-actions")) return;
    const id = form && form.id.replace("agreement-form-", "");
    agreementFocus = id && id !== "new" ? `#agreement-${id} [data-show]` : ".agreement-add [data-show]";
  });
  document.addEventListener("htmx:after:swap", (event) => {
    const response = event.detail.ctx && event.detail.ctx.response;
    if (response && response.status >= 400) agreementFocus = null;
    const focus = agreementFocus && document.querySelector(agreementFocus);
    if (focus) { agreementFocus = null; focus.focus(); }
  });

  // ------------------------------------------------------------ a placed card's own menu
  function closeMenus(except) {
    document.querySelectorAll(".placed-menu:not([hidden])").forEach((menu) => {
      if (menu === except) return;
      menu.hidden = true;
      const opener = document.querySelector(`[aria-controls="${menu.id}"]`);
      if (opener) opener.setAttribute("aria-expanded", "false");
    });
  }
  function openMenu(button) {
    const menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    const open = menu.hidden;
    closeMenus(menu);
    menu.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) { const first = menu.querySelector("button"); if (first) first.focus(); }
  }
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const menu = document.querySelector(".placed-menu:not([hidden])");
    if (!menu) return;
    const opener = document.querySelector(`[aria-controls="${menu.id}"]`);
    closeMenus(null);
    if (opener) opener.focus();
  });

  // ------------------------------------------------------------ taps
  let suppressClick = false;

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const toggle = target.closest(".tray-toggle");
    if (toggle) { toggleTray(toggle); return; }
    if (!shell()) return;
    if (suppressClick) { suppressClick = false; event.preventDefault(); event.stopPropagation(); return; }
    const fromKeyboard = event.detail === 0;

    const statusCard = target.closest(".card-pick[data-pick-url]");
    if (statusCard) { tapStatusCard(statusCard); return; }

    const item = target.closest(".placed-menu button");
    if (item) {
      const li = item.closest(".placed");
      closeMenus(null);
      if (item.dataset.moveUrl) move(li, item.dataset.row, item.dataset.moveUrl);
      else if (item.dataset.removeUrl) remove(li, item.dataset.removeUrl);
      return; // "Show large" is opened by app.js
    }
    const placed = target.closest(".placed-card");
    if (placed) {
      // With a card chosen in the tray, a tap on the row's card places it in that row.
      if (selected && placed.closest(".board-row[data-place-url]")) { place(placed.closest(".board-row"), selected.dataset.cardId, fromKeyboard); return; }
      openMenu(placed);
      return;
    }
    if (!target.closest(".placed-menu")) closeMenus(null);

    const card = target.closest(".card-place");
    if (card && !card.disabled && !card.hasAttribute("data-preview-pick")) { select(card); return; }
    const row = target.closest(".board-row");
    if (!row || !selected) return;
    // Controls inside the row keep their own meaning; the rest of the row is the target.
    const control = target.closest("button, textarea, input, a, label");
    if (control && !control.classList.contains("place-here")) return;
    place(row, selected.dataset.cardId, fromKeyboard);
  }, true);

  // A card dragged from the tray, or a placed card dragged to another row.
  document.addEventListener("dragstart", (event) => {
    const card = event.target instanceof Element && event.target.closest(".card-place, .placed-card");
    if (!card) return;
    const li = card.closest(".placed");
    event.dataTransfer.setData("text/plain", li ? "pick:" + li.dataset.pickId : card.dataset.cardId);
    if (!li) select(card);
  });
  document.addEventListener("dragover", (event) => {
    if (event.target instanceof Element && event.target.closest(".board-row[data-place-url]")) event.preventDefault();
  });
  document.addEventListener("drop", (event) => {
    const row = event.target instanceof Element && event.target.closest(".board-row[data-place-url]");
    if (!row) return;
    event.preventDefault();
    const data = event.dataTransfer.getData("text/plain");
    if (data.startsWith("pick:")) {
      const li = document.querySelector(`#board .placed[data-pick-id="${data.slice(5)}"]`);
      const button = li && li.querySelector(`.placed-menu [data-row="${row.dataset.row}"]`);
      if (button) move(li, row.dataset.row, button.dataset.moveUrl);
      return;
    }
    place(row, data, false);
  });

  // ------------------------------------------------------------ hold a card to see it large
  let holdTimer = 0;
  let holdStart = null;
  document.addEventListener("pointerdown", (event) => {
    const card = event.target instanceof Element && event.target.closest(".card-pick, .card-place, .placed-card");
    if (!card || event.pointerType === "mouse") return;
    holdStart = { x: event.clientX, y: event.clientY };
    holdTimer = setTimeout(() => {
      const holder = card.closest(".pick-cell, .placed");
      const large = holder && holder.querySelector(".enlarge, .placed-menu [data-large-src]");
      if (!large || typeof openLargeCard !== "function") return;
      suppressClick = true;
      setTimeout(() => { suppressClick = false; }, 800);
      openLargeCard(large);
    }, 550);
  });
  const cancelHold = (event) => {
    if (!holdStart) return;
    if (event.type === "pointermove" && Math.hypot(event.clientX - holdStart.x, event.clientY - holdStart.y) < 10) return;
    clearTimeout(holdTimer);
    holdStart = null;
  };
  ["pointerup", "pointercancel", "pointermove"].forEach((type) => document.addEventListener(type, cancelHold));
  document.addEventListener("contextmenu", (event) => {
    if (event.target instanceof Element && event.target.closest(".card, .placed-card")) event.preventDefault();
  });

  // ------------------------------------------------------------ the tray opens and closes
  // Always open when the step loads (DESIGN §7: the step loads with the deck's cards visible).
  function setTray(closed) {
    const tray = document.getElementById("tray");
    const toggle = tray && tray.querySelector(".tray-toggle");
    if (!toggle) return;
    tray.classList.toggle("is-closed", closed);
    toggle.setAttribute("aria-expanded", String(!closed));
    toggle.textContent = closed ? toggle.dataset.labelClosed : toggle.dataset.labelOpen;
  }
  function toggleTray(toggle) {
    setTray(toggle.getAttribute("aria-expanded") === "true");
  }

  // ------------------------------------------------------------ the agenda counts
  // The minutes come from the server's clock at render; the page adds the time since, so a
  // reload or a second device shows the same.
  const loadedAt = Date.now();
  function fill(format, spent, planned) {
    return format.replace("%(spent)d", String(spent)).replace("%(planned)d", String(planned));
  }
  function tickAgenda() {
    const agenda = document.querySelector(".agenda[data-time-format]");
    if (!agenda) return;
    const elapsed = Math.floor((Date.now() - loadedAt) / 1000);
    agenda.querySelectorAll("li[data-running='true']").forEach((item) => {
      const seconds = Number(item.dataset.spent || 0) + elapsed;
      const planned = Number(item.dataset.planned || 0);
      const label = item.querySelector(".agenda-time");
      if (label) label.textContent = fill(agenda.dataset.timeFormat, Math.floor(seconds / 60), planned);
      item.classList.toggle("over", planned > 0 && seconds > planned * 60);
    });
    const total = agenda.querySelector(".agenda-total[data-running='true']");
    if (total && agenda.dataset.totalFormat) {
      const seconds = Number(total.dataset.totalSpent || 0) + elapsed;
      total.textContent = fill(agenda.dataset.totalFormat, Math.floor(seconds / 60), Number(total.dataset.planned || 0));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    restoreDrafts(document);
    flushDrafts();
    loadQueue();
    if (queue.length) { restored = true; pump(); } else if (isOlderThanSeen()) resync();
    tickAgenda();
    setInterval(tickAgenda, 5000);
  });
})();
