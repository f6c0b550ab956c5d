// Council: progressive enhancement only; every page works without JavaScript.
(function () {
  "use strict";
  // Ask before destructive form posts marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
  // A form refused: the error summary takes the focus, so the problems are read (and seen) first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });
  // The menu and a list's filters fold on a narrow screen and are shown open from 1024 px (app.css,
  // through ::details-content). A browser without ::details-content hides a closed <details>' content
  // whatever the CSS says: open them there on a wide screen.
  document.addEventListener("DOMContentLoaded", function () {
    if (!(window.CSS && CSS.supports && CSS.supports("selector(::details-content)"))) {
      var wide = window.matchMedia("(min-width: 1024px)");
      var follow = function () {
        document.querySelectorAll("details.opens-wide").forEach(function (fold) { fold.open = wide.matches; });
      };
      follow();
      wide.addEventListener("change", follow);
    }
    var menu = document.querySelector(".site-menu");
    if (!menu) {
      return;
    }
    // Escape closes the open menu and gives the focus back to its button.
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open && getComputedStyle(menu.querySelector("summary")).display !== "none") {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });
  // A table wider than its box scrolls inside it: say so above it, and let the keyboard scroll it
  // (a focusable region named by the table's caption). Checked again when the window changes size.
  var markScrolling = function () {
    var cueText = document.documentElement.getAttribute("data-scroll-cue");
    document.querySelectorAll(".overflow-auto, .two-sides > .side").forEach(function (box) {
      var table = box.querySelector("table");
      var cue = box.previousElementSibling;
      var hasCue = cue && cue.classList.contains("scroll-cue");
      var scrolls = table && box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("scrolls", Boolean(scrolls));
      if (scrolls) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        var caption = table.caption ? table.caption.textContent.trim() : "";
        box.setAttribute("aria-label", caption || cueText);
        if (!hasCue) {
          cue = document.createElement("p");
          cue.className = "scroll-cue";
          cue.setAttribute("aria-hidden", "true");
          cue.textContent = cueText;
          box.parentNode.insertBefore(cue, box);
        }
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        if (hasCue) {
          cue.remove();
        }
      }
    });
  };
  document.addEventListener("DOMContentLoaded", markScrolling);
  var resizing;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(markScrolling, 150);
  });
  // A long list to choose people or organisations from (a select of more than 12 choices in a form,
  // a list's filter bar too) gets a search box above it: typing hides the choices that do not contain the words,
  // an optgroup left empty too. Chosen ones stay shown; the select itself is what is sent.
  var PICKER_SIZE = 12;
  var folded = function (text) { return text.toLocaleLowerCase(document.documentElement.lang || undefined); };
  document.addEventListener("DOMContentLoaded", function () {
    var label = document.documentElement.getAttribute("data-filter-label");
    document.querySelectorAll("form select:not([name=sort])").forEach(function (select, index) {
      if (select.options.length <= PICKER_SIZE || !label) { return; }
      var box = document.createElement("input");
      box.type = "search";
      box.className = "picker-filter";
      box.id = "picker-filter-" + index;
      box.setAttribute("aria-label", label + (select.labels && select.labels.length ? ": " + select.labels[0].textContent.trim() : ""));
      if (select.id) { box.setAttribute("aria-controls", select.id); }
      box.placeholder = label;
      select.parentNode.insertBefore(box, select);
      box.addEventListener("input", function () {
        var words = folded(box.value).split(/\s+/).filter(Boolean);
        Array.prototype.forEach.call(select.options, function (option) {
          var text = folded(option.textContent);
          option.hidden = !option.selected && option.value !== "" &&
            !words.every(function (word) { return text.indexOf(word) !== -1; });
        });
        select.querySelectorAll("optgroup").forEach(function (group) {
          group.hidden = !Array.prototype.some.call(group.children, function (option) { return !option.hidden; });
        });
      });
    });
  });
  // The same for a long list of checkboxes (the @ picker of a conversation): the box hides the people
  // whose name, position and organisation do not contain the words; ticked ones stay shown.
  document.addEventListener("DOMContentLoaded", function () {
    var label = document.documentElement.getAttribute("data-filter-label");
    document.querySelectorAll("form[method=post] [data-picker]").forEach(function (list, index) {
      var choices = list.querySelectorAll("label");
      if (choices.length <= PICKER_SIZE || !label) { return; }
      var legend = list.closest("fieldset") && list.closest("fieldset").querySelector("legend");
      var box = document.createElement("input");
      box.type = "search";
      box.className = "picker-filter";
      box.id = "picker-list-filter-" + index;
      box.setAttribute("aria-label", label + (legend ? ": " + legend.textContent.trim() : ""));
      box.placeholder = label;
      list.parentNode.insertBefore(box, list);
      box.addEventListener("input", function () {
        var words = folded(box.value).split(/\s+/).filter(Boolean);
        Array.prototype.forEach.call(choices, function (choice) {
          var text = folded(choice.textContent);
          var ticked = choice.querySelector("input:checked") !== null;
          choice.hidden = !ticked && !words.every(function (word) { return text.indexOf(word) !== -1; });
        });
      });
    });
  });
  // htmx requests carry the CSRF token from the page's meta tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
    }
  });
})();
