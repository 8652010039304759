// The model page's trade-off chart: quality change (y) against speed-up (x), one colour per
// hardware target, point area from the artifact size, failed-policy variants drawn as triangles.
// The figures come from the JSON the server embedded (#variant-chart-data), the same as the
// variants table, which stays the page's complete no-script version.
(function () {
  'use strict';

  var PALETTE = ['#2f48b3', '#c2410c', '#15803d', '#7e22ce', '#0e7490', '#a16207', '#be123c'];

  // Chart.js has no point labels of its own: each point gets its variant's name beside it.
  var pointLabels = {
    id: 'qregPointLabels',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = '11px system-ui, -apple-system, "Segoe UI", sans-serif';
      ctx.fillStyle = '#212529';
      ctx.textBaseline = 'middle';
      chart.data.datasets.forEach(function (dataset, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) {
          return;
        }
        meta.data.forEach(function (element, j) {
          var point = dataset.data[j];
          var radius = element.options && element.options.radius ? element.options.radius : point.r;
          var text = point.meta.label;
          // Beside the point, on whichever side has room inside the chart.
          var right = element.x + radius + 4 + ctx.measureText(text).width <= chart.chartArea.right;
          ctx.textAlign = right ? 'left' : 'right';
          ctx.fillText(text, right ? element.x + radius + 4 : element.x - radius - 4, element.y);
        });
      });
      ctx.restore();
    }
  };

  function start() {
    var canvas = document.getElementById('variant-chart');
    var source = document.getElementById('variant-chart-data');
    if (!canvas || !source || !window.Chart) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var reduceMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    var datasets = data.targets.map(function (target, i) {
      var colour = PALETTE[i % PALETTE.length];
      var points = data.points.filter(function (p) { return p.target === target; }).map(function (p) {
        return {x: p.x, y: p.y, r: p.r, meta: p};
      });
      return {
        label: target,
        data: points,
        backgroundColor: colour + '59',
        borderColor: colour,
        borderWidth: 2,
        pointStyle: function (ctx) {
          return ctx.raw && ctx.raw.meta && !ctx.raw.meta.passed ? 'triangle' : 'circle';
        }
      };
    }).filter(function (d) { return d.data.length > 0; });

    new window.Chart(canvas, {
      type: 'bubble',
      data: {datasets: datasets},
      plugins: [pointLabels],
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : {duration: 300},
        layout: {padding: {top: 10}},
        plugins: {
          legend: {position: 'bottom', title: {display: true, text: 'Hardware target'}},
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var p = ctx.raw.meta;
                return [p.label + ' on ' + p.target,
                  data.yLabel + ': ' + p.y,
                  'speed-up: ' + p.x + '×',
                  'size: ' + p.size,
                  'policy: ' + (p.passed ? 'passed' : 'failed')];
              }
            }
          }
        },
        scales: {
          x: {title: {display: true, text: data.xLabel}, grace: '5%'},
          y: {
            title: {display: true, text: data.yLabel},
            grace: '10%',
            // The zero line is the checkpoint itself: what every variant is measured against.
            grid: {
              color: function (ctx) { return ctx.tick && ctx.tick.value === 0 ? '#495057' : 'rgba(0,0,0,0.08)'; }
            }
          }
        },
        onClick: function (event, elements, chart) {
          if (elements.length > 0) {
            var point = chart.data.datasets[elements[0].datasetIndex].data[elements[0].index];
            window.location.href = point.meta.url;
          }
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length > 0 ? 'pointer' : 'default';
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
