// The leader's Prepare page (issue 15): a question marked "Important" is asked too, so its
// own box is ticked with it; a question no longer asked is no longer important. The server
// holds the same rule (a marked question is chosen), so without this script nothing is lost.
(() => {
  "use strict";
  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    const row = box.closest(".prepare-question");
    if (!row) return;
    const ask = row.querySelector('input[name="question"]');
    const mark = row.querySelector('input[name="marked"]');
    if (!ask || !mark) return;
    if (box === mark && mark.checked) ask.checked = true;
    if (box === ask && !ask.checked) mark.checked = false;
  });
})();
