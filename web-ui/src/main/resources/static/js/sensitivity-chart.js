// The variant page's per-layer sensitivity, drawn as SVG: the SQNR (dB) of the model's output with only that layer
// quantized, as bars; layers the engine kept in float are grey (the legend above the chart says so). Each bar has a
// <title> with the layer's name and figures; layer names under the bars are hidden where they would overlap
// (collide-and-hide). Both axis titles are measured after drawing and kept inside the drawing. The figures come from
// the JSON the server embedded (#sensitivity-chart-data), the same as the layer table below it.
(function () {
  'use strict';

  var C = window.QregSvgChart;
  var MARGIN = {top: 30, right: 12, bottom: 52, left: 48};
  var Y_TITLE = 'SQNR (dB), lower is more sensitive';
  var Y_TITLE_SHORT = 'SQNR (dB)';

  function describe(layer) {
    return layer.node + ' (' + layer.opType + '): ' + layer.sqnrDb + ' dB, '
        + (layer.quantized ? 'quantized' : 'kept in float');
  }

  /** The y axis title written across, above the axis: it reads as the axis's name without being turned on end. */
  function yTitle(svg, width) {
    var title = C.text(Y_TITLE, {'class': 'qreg-vchart-axis-title qreg-schart-y-title', x: 4, y: 14}, svg);
    if (title.getBBox().width > width - 8) {
      title.textContent = Y_TITLE_SHORT;
    }
  }

  function draw(svg, layers, width) {
    while (svg.firstChild) {
      svg.removeChild(svg.firstChild);
    }
    var height = width < 600 ? 240 : 260;
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    var plot = {x: MARGIN.left, y: MARGIN.top, width: width - MARGIN.left - MARGIN.right,
      height: height - MARGIN.top - MARGIN.bottom};
    var bottom = plot.y + plot.height;

    var highest = Math.max.apply(null, layers.map(function (l) { return l.sqnrDb; }).concat([1]));
    var ticks = C.niceTicks(0, highest * 1.05, Math.max(2, Math.floor(plot.height / 45)));
    var top = Math.max(ticks[ticks.length - 1], highest);
    var y = C.scale(0, top, bottom, plot.y);
    var grid = C.el('g', {'class': 'qreg-vchart-grid'}, svg);
    ticks.forEach(function (t) {
      C.el('line', {x1: plot.x, x2: plot.x + plot.width, y1: y(t), y2: y(t)}, grid);
      C.text(String(t), {'class': 'qreg-vchart-tick', x: plot.x - 6, y: y(t) + 4, 'text-anchor': 'end'}, svg);
    });
    C.el('line', {'class': 'qreg-vchart-axis', x1: plot.x, x2: plot.x + plot.width, y1: bottom, y2: bottom}, svg);
    yTitle(svg, width);
    C.text('Layer', {'class': 'qreg-vchart-axis-title qreg-schart-x-title', x: plot.x + plot.width / 2,
      y: height - 8, 'text-anchor': 'middle'}, svg);

    var slot = plot.width / layers.length;
    var barWidth = Math.max(1, Math.min(48, slot * 0.7));
    var bars = C.el('g', {'class': 'qreg-schart-bars'}, svg);
    var names = [];
    layers.forEach(function (layer, i) {
      var centre = plot.x + slot * (i + 0.5);
      var value = Math.max(0, layer.sqnrDb);
      var bar = C.el('g', {'class': 'qreg-schart-bar ' + (layer.quantized ? 'qreg-schart-quantized'
          : 'qreg-schart-kept')}, bars);
      C.text(describe(layer), {}, C.el('title', {}, bar));
      C.el('rect', {x: centre - barWidth / 2, y: y(value), width: barWidth, height: bottom - y(value)}, bar);
      names.push({node: C.text(layer.node, {'class': 'qreg-schart-layer-name'}, bar),
        candidates: [{x: centre, y: bottom + 15, anchor: 'middle'}]});
    });
    // A name that would run into its neighbour's is left off; the bar's <title> and the table still give it.
    var hidden = C.placeLabels(names, [], {x: 0, y: bottom, width: width, height: 20}, 'qreg-vchart-label-hidden');
    svg.setAttribute('data-hidden-labels', hidden);
  }

  C.onReady(function () {
    var svg = document.getElementById('sensitivity-chart');
    var source = document.getElementById('sensitivity-chart-data');
    if (!svg || !source) {
      return;
    }
    var layers = JSON.parse(source.textContent);
    if (layers.length === 0) {
      return;
    }
    C.drawAndRedrawOnResize(svg.parentNode, function (width) {
      draw(svg, layers, Math.max(280, width));
    });
  });
}());
