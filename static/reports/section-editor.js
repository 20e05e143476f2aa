// The section editor's "Insert" buttons (docs/reports.md#pages): with JavaScript, a draft
// sentence is added to the end of the text in the box, nothing is saved and the page is
// not reloaded; the live preview follows. Without JavaScript the button posts the form,
// and the server puts the sentence in the box, unsaved, the same way.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-insert]");
    if (!button) return;
    var textarea = document.getElementById(button.getAttribute("data-insert"));
    var item = button.closest("li");
    var sentence = item && item.querySelector(".draft-text");
    if (!textarea || !sentence) return;
    event.preventDefault();
    var text = textarea.value.replace(/\s+$/, "");
    textarea.value = (text ? text + "\n\n" : "") + sentence.textContent.trim();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  });
})();
