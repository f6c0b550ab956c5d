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
  // The @ picker's search (templates/conversations/_mentions.html): the page lists only the people of
  // the record; typing two letters or more asks the server for the people whose name, position or
  // organisation match (at most 20), added to the list as the same checkboxes. Ticked ones stay; the
  // ones found before and left unticked go. Without JavaScript, "Find people" sends the form back to be
  // shown again with them; if the search does not answer, that button does so here too.
  var SEARCH_DELAY = 300;
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-people-search]").forEach(function (search) {
      var list = document.getElementById(search.getAttribute("data-list"));
      var box = search.querySelector("input[type=search]");
      var button = search.querySelector("button");
      var status = search.querySelector("[role=status]");
      if (!list || !box || !button || !status || !window.fetch) { return; }
      var name = search.getAttribute("data-name");
      var prefix = search.getAttribute("data-id");
      var asked = 0;
      var waiting;
      var choice = function (person) {
        var label = document.createElement("label");
        label.className = "mention-choice";
        label.htmlFor = prefix + "-" + person.id;
        label.setAttribute("data-found", "");
        var input = document.createElement("input");
        input.type = "checkbox";
        input.id = label.htmlFor;
        input.name = name;
        input.value = String(person.id);
        var text = document.createElement("span");
        var shownName = document.createElement("span");
        shownName.className = "mention-name";
        shownName.textContent = person.name;
        text.appendChild(shownName);
        if (person.detail) {
          var detail = document.createElement("small");
          detail.className = "mention-detail";
          detail.textContent = person.detail;
          text.appendChild(detail);
        }
        label.appendChild(input);
        label.appendChild(text);
        return label;
      };
      var show = function (people) {
        list.querySelectorAll("label[data-found]").forEach(function (label) {
          if (!label.querySelector("input:checked")) { label.remove(); }
        });
        var first = list.firstChild;
        people.forEach(function (person) {
          var input = document.getElementById(prefix + "-" + person.id);
          var label = input ? input.closest("label") : choice(person);
          list.insertBefore(label, first);  // the people found first, in the server's order
          first = label.nextSibling;
        });
        list.hidden = !list.querySelector("label");
      };
      var run = function () {
        var words = box.value.trim();
        window.clearTimeout(waiting);
        if (words.length < 2) { return; }
        var number = ++asked;
        fetch(search.getAttribute("data-people-search") + "?q=" + encodeURIComponent(words), {
          headers: {"Accept": "application/json"}, credentials: "same-origin"
        }).then(function (answer) {
          return answer.json().then(function (body) { return {ok: answer.ok, body: body}; });
        }).then(function (answer) {
          if (number !== asked) { return; }  // a later search is on its way
          if (!answer.ok) {
            status.textContent = (answer.body.error && answer.body.error.message) || search.getAttribute("data-failed");
            return;
          }
          show(answer.body.people);
          status.textContent = answer.body.message;
        }).catch(function () {
          if (number !== asked) { return; }
          status.textContent = search.getAttribute("data-failed");
          search.setAttribute("data-fallback", "");  // the button sends the form, as without JavaScript
        });
      };
      box.addEventListener("input", function () {
        window.clearTimeout(waiting);
        waiting = window.setTimeout(run, SEARCH_DELAY);
      });
      // Enter in the box searches here rather than sending the form.
      box.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !search.hasAttribute("data-fallback")) {
          event.preventDefault();
          run();
        }
      });
      button.addEventListener("click", function (event) {
        if (!search.hasAttribute("data-fallback")) {
          event.preventDefault();
          run();
        }
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
