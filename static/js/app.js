// Arbejdsglæde's own JavaScript: the large view of a card and the connection banner.
// No inline script anywhere: the Content-Security-Policy forbids it.
"use strict";

function openLargeCard(button) {
  const dialog = document.getElementById("card-dialog");
  if (!dialog) return;
  const image = document.getElementById("card-dialog-image");
  image.src = button.dataset.largeSrc;
  image.width = Number(button.dataset.largeWidth);
  image.height = Number(button.dataset.largeHeight);
  image.alt = button.dataset.alt || "";
  document.getElementById("card-dialog-title").textContent = button.dataset.title || "";
  document.getElementById("card-dialog-alt").textContent = button.dataset.alt || "";
  dialog.showModal();
}

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const opener = target && target.closest("[data-large-src]");
  if (opener && opener.getAttribute("aria-haspopup") === "dialog") {
    openLargeCard(opener);
    return;
  }
  // A tap on the dark backdrop closes the large view.
  if (target && target.id === "card-dialog") target.close();
});

function showOffline(isOffline) {
  const banner = document.getElementById("offline");
  if (banner) banner.hidden = !isOffline;
}
window.addEventListener("offline", () => showOffline(true));
window.addEventListener("online", () => showOffline(false));

// A <details data-remember="key"> opens and closes as it did last time on this device: the
// leader's guide stays open for a leader who wants it, and closed for one who does not.
function rememberedKey(details) {
  return "arbejdsglaede.open." + details.dataset.remember;
}
function restoreRemembered(root) {
  for (const details of root.querySelectorAll("details[data-remember]")) {
    try {
      const stored = window.localStorage.getItem(rememberedKey(details));
      if (stored !== null) details.open = stored === "1";
    } catch (error) {
      // Storage refused (private mode): the panel stays as the page made it.
    }
  }
}
document.addEventListener(
  "toggle",
  (event) => {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.dataset.remember) return;
    try {
      window.localStorage.setItem(rememberedKey(details), details.open ? "1" : "0");
    } catch (error) {
      // Storage refused: nothing to remember with.
    }
  },
  true,
);
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => restoreRemembered(document));
} else {
  restoreRemembered(document);
}
