// Draws each dashboard chart from the figures in its table's JSON (json_script). The table
// under each chart holds the same figures, for screen readers and anyone who prefers them.
// Live dashboards are swapped in by htmx every few seconds: their charts are drawn again.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  // GOV.UK Design System colours, in an order that keeps neighbours distinct.
  var colours = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#d4351c", "#28a197",
                 "#6f72af", "#b58840", "#003078", "#505a5f", "#f499be", "#85994b"];

  function draw(root) {
    root.querySelectorAll("canvas[data-fd-chart]:not([data-fd-drawn])").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-fd-chart"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      new Chart(canvas, {
        type: data.type === "line" ? "line" : "bar",
        data: {
          labels: data.labels,
          datasets: data.series.map(function (series, i) {
            return {
              label: series.name,
              data: series.values,
              backgroundColor: colours[i % colours.length],
              borderColor: colours[i % colours.length],
            };
          }),
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          scales: {
            x: { stacked: data.stacked },
            y: { stacked: data.stacked, beginAtZero: true },
          },
          plugins: { legend: { position: "bottom" } },
        },
      });
      canvas.setAttribute("data-fd-drawn", "true");
    });
  }

  draw(document);
  document.body.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
