// The deck editor and its preview (DESIGN §3): drag a card by its handle to reorder (touch,
// pen or mouse: pointer events, because HTML drag and drop does not work with touch), send
// a chosen picture at once, and in the preview let a tap pick a card as the tablet would.
"use strict";

(function () {
  // -- drag to reorder -------------------------------------------------------------------
  const EDGE = 70; // px from the window's top or bottom where a drag scrolls the page
  let drag = null;

  function cardAt(list, x, y) {
    const hit = document.elementFromPoint(x, y);
    const item = hit && hit.closest(".edit-card");
    return item && item.parentElement === list ? item : null;
  }

  function follow() {
    // Put the dragged card where the pointer is; near an edge, scroll a little each frame,
    // so a card can travel further than one screen.
    if (!drag) return;
    const { x, y } = drag;
    const speed = y < EDGE ? -(EDGE - y) / 4 : y > window.innerHeight - EDGE ? (y - window.innerHeight + EDGE) / 4 : 0;
    if (speed) window.scrollBy(0, speed);
    const over = cardAt(drag.list, x, y);
    if (over && over !== drag.item) {
      const box = over.getBoundingClientRect();
      const after = y > box.top + box.height / 2;
      drag.list.insertBefore(drag.item, after ? over.nextSibling : over);
      drag.moved = true;
    }
    drag.frame = window.requestAnimationFrame(follow);
  }

  document.addEventListener("pointerdown", (event) => {
    const handle = event.target instanceof Element ? event.target.closest(".edit-card-handle") : null;
    if (!handle) return;
    const item = handle.closest(".edit-card");
    const list = item && item.parentElement;
    if (!list) return;
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    drag = { item, list, moved: false, pointerId: event.pointerId, x: event.clientX, y: event.clientY };
    item.classList.add("is-dragging");
    drag.frame = window.requestAnimationFrame(follow);
  });

  document.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    event.preventDefault();
    drag.x = event.clientX;
    drag.y = event.clientY;
  });

  function endDrag(event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const { item, list, moved, frame } = drag;
    window.cancelAnimationFrame(frame);
    drag = null;
    item.classList.remove("is-dragging");
    if (!moved) return;
    const form = document.getElementById(list.dataset.orderForm || "order-form");
    if (!form) return;
    form.querySelectorAll("input[name=card]").forEach((input) => input.remove());
    list.querySelectorAll(".edit-card").forEach((card) => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "card";
      input.value = card.dataset.cardId;
      form.appendChild(input);
    });
    form.requestSubmit();
  }
  document.addEventListener("pointerup", endDrag);
  document.addEventListener("pointercancel", endDrag);

  // -- a chosen picture is sent at once ----------------------------------------------------
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-autosubmit")) return;
    if (input.files && input.files.length && input.form) {
      input.closest(".edit-card")?.classList.add("is-busy");
      input.form.requestSubmit();
    }
  });

  // -- preview: a tap picks, as in the conversation, without saving ------------------------
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-preview-pick]") : null;
    if (!button) return;
    const grid = button.closest("[data-preview-picks]");
    const limit = Number(grid?.dataset.previewPicks || 1);
    const pressed = button.getAttribute("aria-pressed") === "true";
    if (!pressed && grid) {
      const picked = grid.querySelectorAll('[data-preview-pick][aria-pressed="true"]');
      if (picked.length >= limit) picked[0].setAttribute("aria-pressed", "false");
    }
    button.setAttribute("aria-pressed", pressed ? "false" : "true");
    // The status step counts the chosen cards; the preview keeps that count true.
    const count = document.querySelector("#chosen .count");
    if (count && grid) {
      const n = grid.querySelectorAll('[data-preview-pick][aria-pressed="true"]').length;
      count.textContent = `${n}/${limit}`;
    }
  });
})();
