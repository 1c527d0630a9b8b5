// The overview's charts (Apache ECharts, served by smeproc). Each chart draws exactly what the
// table beside it lists: the figures come from the page (#chart-data, #findings-table).
(function () {
  "use strict";
  var en = document.documentElement.lang === "en";
  function t(zh, e) { return en ? e : zh; }
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var base = { animation: false, aria: { enabled: true }, tooltip: { trigger: "axis" }, grid: { left: 56, right: 16, top: 40, bottom: 48 } };
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return;
    var c = echarts.init(el, null, { renderer: "svg" });
    c.setOption(Object.assign({}, base, option));
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("chart-share", {
    legend: { top: 0 },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, overflow: "truncate", width: 90 } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: t("数量占比", "SME share by count"), type: "bar", data: data.sme_count_share },
      { name: t("金额占比", "SME share by value"), type: "bar", data: data.sme_value_share },
      { name: t("预付款合同占比", "With prepayment"), type: "bar", data: data.prepayment_rate },
      { name: t("按时付款率", "Paid on time"), type: "line", data: data.on_time_rate }
    ]
  });
  chart("chart-money", {
    legend: { top: 0 },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, overflow: "truncate", width: 90 } },
    yAxis: { type: "value", name: t("元", "yuan") },
    series: [
      { name: t("逾期未付", "Overdue"), type: "bar", stack: "held", data: data.overdue_amount },
      { name: t("超期保证金", "Bonds past due"), type: "bar", stack: "held", data: data.bonds_past_due_amount },
      { name: t("超期质保金", "Retention past due"), type: "bar", stack: "held", data: data.retention_past_due_amount }
    ]
  });
  var rows = Array.prototype.slice.call(document.querySelectorAll("#findings-table tbody tr[data-category]"));
  var kinds = [], forces = {};
  rows.forEach(function (r) {
    var k = r.dataset.label || r.dataset.category, f = r.dataset.force;
    if (kinds.indexOf(k) < 0) kinds.push(k);
    (forces[f] = forces[f] || {})[k] = Number(r.dataset.count);
  });
  var names = { mandatory: t("违反法定义务", "binding law"), encouraged: t("未达鼓励目标", "target") };
  chart("chart-findings", {
    legend: { top: 0 },
    xAxis: { type: "category", data: kinds, axisLabel: { interval: 0, overflow: "truncate", width: 90 } },
    yAxis: { type: "value", minInterval: 1 },
    series: Object.keys(forces).map(function (f) {
      return { name: names[f] || f, type: "bar", stack: "force", data: kinds.map(function (k) { return forces[f][k] || 0; }) };
    })
  });
})();
