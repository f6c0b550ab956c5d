// Meetings: drag-and-drop agenda ordering (the arrow buttons do the same without JavaScript),
// the print button, and selecting a new calendar address for copying.
(function () {
  "use strict";
  var dragged = null;
  var before = "";

  function idsOf(list) {
    return Array.prototype.filter.call(list.children, function (node) {
      return node.dataset && node.dataset.itemId;
    }).map(function (node) { return node.dataset.itemId; }).join(",");
  }

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("li[data-item-id]");
    if (!item || item.getAttribute("draggable") !== "true" || !item.closest("[data-reorder-url]")) {
      return;
    }
    dragged = item;
    before = idsOf(item.parentNode);
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.itemId);
    event.stopPropagation();
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    var over = event.target.closest && event.target.closest("li[data-item-id]");
    // Items move only among their siblings: a sub-item stays under its item.
    if (!over || over === dragged || over.parentNode !== dragged.parentNode) { return; }
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) { event.preventDefault(); }
  });

  document.addEventListener("dragend", function () {
    if (!dragged) { return; }
    var list = dragged.parentNode;
    var section = list.closest("[data-reorder-url]");
    dragged.classList.remove("dragging");
    dragged = null;
    var order = idsOf(list);
    if (order === before || !section || !window.htmx) { return; }
    window.htmx.ajax("POST", section.getAttribute("data-reorder-url"), {
      target: "#agenda", swap: "outerHTML",
      values: { order: order, parent: list.getAttribute("data-parent") || "" }
    });
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-select-on-focus")) {
      event.target.select();
    }
  });

  // The schedule form shows the group fields or the session's co-chairs, as the kind requires.
  function showKind() {
    var kind = document.getElementById("kind");
    if (!kind) { return; }
    document.querySelectorAll("[data-kind]").forEach(function (block) {
      block.hidden = block.getAttribute("data-kind") !== kind.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "kind") { showKind(); }
  });
  document.addEventListener("DOMContentLoaded", showKind);

  // A refused reorder (the agenda changed meanwhile, or no permission): reload to show the truth.
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.target && event.detail.target.id === "agenda") { window.location.reload(); }
  });
})();
