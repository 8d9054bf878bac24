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
