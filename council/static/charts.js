// Council dashboards: each chart is drawn from the table next to it (table[data-chart]), so the chart and
// its accessible table always show the same numbers. Values come from data-value (raw numbers); labels
// from the row and column headers. No animation for readers who ask for reduced motion, nor under test
// automation (navigator.webdriver).
(function () {
  "use strict";
  var palette = {
    kz: "#00afca", tm: "#2e8b57", progress: "#3c71f7", value: "#3c71f7", recommendation: "#7b61ff",
    planned: "#9aa5b1", in_progress: "#3c71f7", reported_done: "#f0ad4e", verified: "#2e8b57",
    blocked: "#d9534f", cancelled: "#5c636a", baseline: "#5c636a", target: "#d9534f"
  };
  var charts = [];
  // Numbers are written the page's way, as the tables beside them are (Babel's symbols, put on <html>
  // by the server): "1 200" and "7,5" in ru, kk and tk, whatever the browser's own locale.
  var root = document.documentElement;
  var symbols = {decimal: root.getAttribute("data-decimal") || ".", group: root.getAttribute("data-group") || ",",
                 percent: root.getAttribute("data-percent") || "#%"};

  function formatted(value, unit) {
    if (value === null || value === undefined || isNaN(value)) { return ""; }
    var rounded = Math.round(Math.abs(value) * 100) / 100;
    var parts = rounded.toFixed(2).replace(/\.?0+$/, "").split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, symbols.group);
    var written = (value < 0 ? "\u2212" : "") + whole + (parts[1] ? symbols.decimal + parts[1] : "");
    return unit === "percent" ? symbols.percent.replace("#", written) : written;
  }

  // The axis ticks and the tooltips of one chart, in the page's number format.
  function numberFormat(options, unit, axis) {
    var tick = function (value) { return formatted(value, unit); };
    options.scales = options.scales || {};
    if (axis) {
      options.scales[axis] = options.scales[axis] || {};
      options.scales[axis].ticks = Object.assign({}, options.scales[axis].ticks, {callback: tick});
    }
    options.plugins = options.plugins || {};
    options.plugins.tooltip = {callbacks: {label: function (context) {
      var raw = context.raw;
      var value = typeof raw === "object" && raw !== null ? (axis === "x" ? raw.x : raw.y) : raw;
      var name = axis ? context.dataset.label : context.label;  // a doughnut's slices are its labels
      return (name ? name + ": " : "") + formatted(value, unit);
    }}};
    return options;
  }

  function text(cell) {
    return cell ? cell.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function number(cell) {
    var raw = cell ? cell.getAttribute("data-value") : null;
    return raw === null || raw === "" ? null : Number(raw);
  }

  function headerCells(table) {
    var rows = table.tHead ? table.tHead.rows : [];
    return rows.length ? Array.prototype.slice.call(rows[rows.length - 1].cells) : [];
  }

  // Column index of each data-series header, counted across the body rows (which start with a th).
  function series(table) {
    var found = [];
    var headers = headerCells(table);
    var offset = table.tHead.rows.length > 1 ? 1 : 0; // the first column's header spans both rows
    headers.forEach(function (th, index) {
      if (th.hasAttribute("data-series")) {
        found.push({column: index + offset, label: th.getAttribute("data-label") || text(th),
                    color: palette[th.getAttribute("data-color")] || palette.value});
      }
    });
    return found;
  }

  function bodyRows(table) {
    return table.tBodies.length ? Array.prototype.slice.call(table.tBodies[0].rows) : [];
  }

  function config(table) {
    var kind = table.getAttribute("data-chart");
    var rows = bodyRows(table).filter(function (row) { return row.cells.length > 1; });
    var labels = rows.map(function (row) { return text(row.cells[0]); });
    var datasets = series(table).map(function (s) {
      return {label: s.label, backgroundColor: s.color, borderColor: s.color,
              data: rows.map(function (row) { return number(row.cells[s.column]); })};
    });
    var max = table.getAttribute("data-chart-max");
    var unit = table.getAttribute("data-chart-unit");
    var scale = {beginAtZero: true, ticks: {precision: 0}};  // counts: no 0.5 of a commitment
    if (max) { scale.max = Number(max); }
    if (kind === "doughnut") {
      datasets.forEach(function (d) {
        d.backgroundColor = rows.map(function (row) {
          return palette[row.cells[0].getAttribute("data-color")] || palette.value;
        });
      });
      return {type: "doughnut", data: {labels: labels, datasets: datasets},
              options: numberFormat({plugins: {legend: {position: "right"}}}, unit, null)};
    }
    if (kind === "indicator") {
      datasets.forEach(function (d) { d.spanGaps = true; d.tension = 0; });
      ["baseline", "target"].forEach(function (name) {
        var value = table.getAttribute("data-" + name);
        if (value !== null && value !== "") {
          datasets.push({label: table.getAttribute("data-" + name + "-label"), borderDash: [6, 4],
                         pointRadius: 0, borderColor: palette[name], backgroundColor: palette[name],
                         data: labels.map(function () { return Number(value); })});
        }
      });
      if (!labels.length) { return null; }
      return {type: "line", data: {labels: labels, datasets: datasets},
              options: numberFormat({scales: {y: {beginAtZero: false}}}, unit, "y")};
    }
    if (kind === "hbar") {
      return {type: "bar", data: {labels: labels, datasets: datasets},
              options: numberFormat({indexAxis: "y", scales: {x: scale}}, unit, "x")};
    }
    return {type: kind === "line" ? "line" : "bar", data: {labels: labels, datasets: datasets},
            options: numberFormat({scales: {y: scale}, plugins: {legend: {display: datasets.length > 1}}}, unit, "y")};
  }

  function draw(table) {
    var settings = config(table);
    if (!settings) { return; }
    var holder = document.createElement("div");
    holder.className = "chart-canvas";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", text(table.caption));
    holder.appendChild(canvas);
    // Above the table, outside the box that scrolls a wide table sideways on a phone.
    var anchor = table.parentNode.classList.contains("overflow-auto") ? table.parentNode : table;
    anchor.parentNode.insertBefore(holder, anchor);
    settings.options.responsive = true;
    settings.options.maintainAspectRatio = false;
    charts.push(new window.Chart(canvas, settings));
  }

  function start() {
    if (!window.Chart) { return; }
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (reduced || navigator.webdriver) { window.Chart.defaults.animation = false; }
    Array.prototype.forEach.call(document.querySelectorAll("table[data-chart]"), draw);
    window.addEventListener("beforeprint", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
