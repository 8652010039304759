// The variant page's per-layer sensitivity: the SQNR (dB) of the model's output with only that
// layer quantized, as bars; layers the engine kept in float are grey. The figures come from the
// JSON the server embedded (#sensitivity-chart-data), the same as the layer table below it.
(function () {
  'use strict';

  function start() {
    var canvas = document.getElementById('sensitivity-chart');
    var source = document.getElementById('sensitivity-chart-data');
    if (!canvas || !source || !window.Chart) {
      return;
    }
    var layers = JSON.parse(source.textContent);
    var reduceMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels: layers.map(function (l) { return l.node; }),
        datasets: [{
          label: 'SQNR (dB)',
          data: layers.map(function (l) { return l.sqnrDb; }),
          backgroundColor: layers.map(function (l) { return l.quantized ? '#3b5bdb' : '#adb5bd'; })
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : {duration: 300},
        plugins: {
          legend: {display: false},
          tooltip: {
            callbacks: {
              afterLabel: function (ctx) {
                var l = layers[ctx.dataIndex];
                return l.opType + (l.quantized ? ', quantized' : ', kept in float');
              }
            }
          }
        },
        scales: {
          x: {title: {display: true, text: 'Layer'}, ticks: {autoSkip: true, maxRotation: 60}},
          y: {title: {display: true, text: 'SQNR (dB) — lower is more sensitive'}, beginAtZero: true}
        }
      }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
