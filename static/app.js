// Progressive enhancement only: every page works without this script.
"use strict";

// Select-to-create on an article page: a selection inside the article text fills the manual
// claim form with its exact words and its char offsets into the stored body. Without this
// script the form still works from the typed words.
(function () {
  var body = document.getElementById("article-body");
  var form = document.getElementById("manual-claim-form");
  if (!body || !form) return;
  var exact = document.getElementById("manual-exact");
  var startField = document.getElementById("manual-start");
  var endField = document.getElementById("manual-end");

  // Char offset (Unicode scalar values, as the server counts) of a DOM point in the body.
  function offsetOf(node, offset) {
    var el = node.nodeType === 3 ? node.parentElement : node;
    var run = el && el.closest ? el.closest("[data-start]") : null;
    if (!run || !body.contains(run)) return null;
    var base = parseInt(run.getAttribute("data-start"), 10);
    if (node.nodeType !== 3) return offset === 0 ? base : base + Array.from(run.textContent).length;
    return base + Array.from(node.textContent.slice(0, offset)).length;
  }

  function clearOffsets() {
    startField.value = "";
    endField.value = "";
  }

  document.addEventListener("selectionchange", function () {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    var range = sel.getRangeAt(0);
    if (!body.contains(range.commonAncestorContainer)) return;
    var start = offsetOf(range.startContainer, range.startOffset);
    var end = offsetOf(range.endContainer, range.endOffset);
    var text = sel.toString();
    // A selection across paragraphs or furniture gives no exact span: fall back to the words.
    if (start === null || end === null || end <= start || end - start !== Array.from(text).length) {
      clearOffsets();
    } else {
      startField.value = String(start);
      endField.value = String(end);
    }
    exact.value = text.trim() ? text : exact.value;
  });

  // Typing in the box means the words, not the last selection.
  exact.addEventListener("input", clearOffsets);
})();
