// Draw every ECharts chart on the page from the option the server put in a JSON script,
// and switch each card between the chart and the same numbers as a table.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-chart]").forEach((element) => {
    const option = JSON.parse(document.getElementById(element.dataset.chart).textContent);
    const chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option);
    window.addEventListener("resize", () => chart.resize());
  });
  document.querySelectorAll("[data-toggle-table]").forEach((button) => {
    button.addEventListener("click", () => {
      const card = button.closest(".card");
      const table = card.querySelector(".chart-table");
      const drawing = card.querySelector("[data-chart]");
      const showTable = table.classList.contains("d-none");
      table.classList.toggle("d-none", !showTable);
      drawing.classList.toggle("d-none", showTable);
      button.textContent = showTable ? button.dataset.chartLabel : button.dataset.tableLabel;
    });
  });
});
