// The standard-answer picker on a ticket (service/_standard_answers.html): one click puts
// the answer's text at the end of the reply (the textarea #id_note). Counting the use is the
// button's own hx-post. Delegated, because HTMX swaps the list in after the page loaded; the
// flag keeps a page that includes the picker twice from inserting the text twice.
if (!window.huitouAnswerPicker) {
  window.huitouAnswerPicker = true;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-answer-text]");
    if (!button) return;
    const note = document.getElementById("id_note");
    if (!note) return;
    const text = button.dataset.answerText;
    const before = note.value.replace(/\s+$/, "");
    note.value = before ? `${before}\n\n${text}` : text;
    note.dispatchEvent(new Event("input", { bubbles: true }));
    note.focus();
    note.setSelectionRange(note.value.length, note.value.length);
  });
}
