// The model page's trade-off chart, drawn as SVG: quality change (y) against speed-up (x), one colour per hardware
// target, point area from the artifact size, failed-policy variants drawn as triangles. Each point is a link to its
// variant with a <title> (hover) and an aria-label; its name is written beside it where there is room and hidden
// where it would overlap another name or point (collide-and-hide). When every variant's quality change is exactly
// zero, a y axis would only draw a flat line: the page says so in words (models/variants.html) and the chart
// becomes a strip of speed-ups. The figures come from the JSON the server embedded (#variant-chart-data), the same
// as the table of the chart's points and the variants table, which stay the page's complete no-script version.
(function () {
  'use strict';

  var C = window.QregSvgChart;
  var TARGET_CLASSES = 7; // qreg-vchart-t0 … t6 in charts.css
  var MARGIN = {top: 16, right: 20, bottom: 50, left: 70};
  var FLAT_MARGIN = {top: 16, right: 20, bottom: 50, left: 20};

  function targetClass(data, target) {
    return 'qreg-vchart-t' + (data.targets.indexOf(target) % TARGET_CLASSES);
  }

  /** What a point says on hover and to assistive technology. */
  function describe(data, p) {
    return p.label + ' on ' + p.target + ': ' + data.yLabel + ' ' + (p.quality || p.y) + ', speed-up '
        + (p.speedup || p.x + '×') + ', ' + p.size + ', policy ' + (p.passed ? 'passed' : 'failed');
  }

  /** Low and high of the values with room around them, so no point sits on the frame. */
  function padded(values, minimumPad, share) {
    var low = Math.min.apply(null, values);
    var high = Math.max.apply(null, values);
    var pad = Math.max((high - low) * share, minimumPad);
    return [low - pad, high + pad];
  }

  function drawXAxis(svg, data, x, plot) {
    var ticks = C.niceTicks(x.domain[0], x.domain[1], Math.max(2, Math.floor(plot.width / 90)));
    var grid = C.el('g', {'class': 'qreg-vchart-grid'}, svg);
    ticks.filter(function (t) { return t >= x.domain[0] && t <= x.domain[1]; }).forEach(function (t) {
      C.el('line', {x1: x(t), x2: x(t), y1: plot.y, y2: plot.y + plot.height}, grid);
      C.text(t + '×', {'class': 'qreg-vchart-tick', x: x(t), y: plot.y + plot.height + 16, 'text-anchor': 'middle'},
          svg);
    });
    C.el('line', {'class': 'qreg-vchart-axis', x1: plot.x, x2: plot.x + plot.width, y1: plot.y + plot.height,
      y2: plot.y + plot.height}, svg);
    C.text(data.xLabel, {'class': 'qreg-vchart-axis-title qreg-vchart-x-title', x: plot.x + plot.width / 2,
      y: plot.y + plot.height + 40, 'text-anchor': 'middle'}, svg);
  }

  function drawYAxis(svg, data, y, plot) {
    var ticks = C.niceTicks(y.domain[0], y.domain[1], Math.max(2, Math.floor(plot.height / 50)));
    var grid = C.el('g', {'class': 'qreg-vchart-grid'}, svg);
    ticks.filter(function (t) { return t >= y.domain[0] && t <= y.domain[1]; }).forEach(function (t) {
      C.el('line', {x1: plot.x, x2: plot.x + plot.width, y1: y(t), y2: y(t)}, grid);
      C.text(String(t), {'class': 'qreg-vchart-tick', x: plot.x - 6, y: y(t) + 4, 'text-anchor': 'end'}, svg);
    });
    // The zero line is the checkpoint itself: what every variant is measured against.
    C.el('line', {'class': 'qreg-vchart-zero', x1: plot.x, x2: plot.x + plot.width, y1: y(0), y2: y(0)}, svg);
    C.text(data.yLabel, {'class': 'qreg-vchart-axis-title qreg-vchart-y-title', x: -(plot.y + plot.height / 2),
      y: 16, 'text-anchor': 'middle', transform: 'rotate(-90)'}, svg);
  }

  function mark(group, p, cx, cy) {
    if (p.passed) {
      C.el('circle', {'class': 'qreg-vchart-mark', cx: cx, cy: cy, r: p.r}, group);
    } else {
      var h = p.r * 1.15;
      C.el('path', {'class': 'qreg-vchart-mark', d: 'M' + cx + ',' + (cy - h) + ' L' + (cx + h) + ',' + (cy + h * 0.8)
          + ' L' + (cx - h) + ',' + (cy + h * 0.8) + ' Z'}, group);
    }
  }

  /** Beside the mark first (right, left), then above and below it, then at its corners. */
  function candidates(cx, cy, r) {
    var gap = r + 4;
    return [
      {x: cx + gap, y: cy + 4, anchor: 'start'}, {x: cx - gap, y: cy + 4, anchor: 'end'},
      {x: cx, y: cy - gap, anchor: 'middle'}, {x: cx, y: cy + gap + 9, anchor: 'middle'},
      {x: cx + r, y: cy - r - 2, anchor: 'start'}, {x: cx - r, y: cy - r - 2, anchor: 'end'},
      {x: cx + r, y: cy + r + 11, anchor: 'start'}, {x: cx - r, y: cy + r + 11, anchor: 'end'}
    ];
  }

  function draw(svg, data, width) {
    while (svg.firstChild) {
      svg.removeChild(svg.firstChild);
    }
    var flat = data.points.every(function (p) { return p.y === 0; });
    var margin = flat ? FLAT_MARGIN : MARGIN;
    var height = flat ? 150 : (width < 600 ? 300 : 360);
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    svg.setAttribute('data-mode', flat ? 'speed-up only' : 'quality and speed-up');
    var plot = {x: margin.left, y: margin.top, width: width - margin.left - margin.right,
      height: height - margin.top - margin.bottom};

    var xs = data.points.map(function (p) { return p.x; });
    var xDomain = padded(xs, 0.1, 0.08);
    var x = C.scale(xDomain[0], xDomain[1], plot.x, plot.x + plot.width);
    x.domain = xDomain;
    drawXAxis(svg, data, x, plot);
    var y;
    if (flat) {
      y = function () { return plot.y + plot.height / 2; };
    } else {
      var yDomain = padded(data.points.map(function (p) { return p.y; }).concat([0]), 0.5, 0.12);
      y = C.scale(yDomain[0], yDomain[1], plot.y + plot.height, plot.y);
      y.domain = yDomain;
      drawYAxis(svg, data, y, plot);
    }

    var layer = C.el('g', {'class': 'qreg-vchart-points'}, svg);
    var labels = [];
    var obstacles = [];
    data.points.forEach(function (p) {
      var cx = x(p.x);
      var cy = y(p.y);
      var link = C.el('a', {href: p.url, 'class': 'qreg-vchart-point ' + targetClass(data, p.target),
        'aria-label': describe(data, p), 'data-variant': p.id}, layer);
      C.text(describe(data, p), {}, C.el('title', {}, link));
      mark(link, p, cx, cy);
      var own = {x: cx - p.r, y: cy - p.r, width: 2 * p.r, height: 2 * p.r};
      obstacles.push(own);
      labels.push({node: C.text(p.label, {'class': 'qreg-vchart-label'}, link), candidates: candidates(cx, cy, p.r),
        own: own});
    });
    // Names stay within the plot across (clear of the y axis's ticks) and above the x axis's.
    var hidden = C.placeLabels(labels, obstacles, {x: plot.x, y: 0, width: plot.width, height: plot.y + plot.height},
        'qreg-vchart-label-hidden');
    svg.setAttribute('data-hidden-labels', hidden);
  }

  function legend(box, data) {
    box.textContent = '';
    var caption = document.createElement('span');
    caption.className = 'qreg-vchart-legend-caption';
    caption.textContent = 'Hardware target';
    box.appendChild(caption);
    var list = document.createElement('ul');
    list.className = 'qreg-vchart-legend-list';
    data.targets.filter(function (t) {
      return data.points.some(function (p) { return p.target === t; });
    }).forEach(function (t) {
      var item = document.createElement('li');
      var swatch = document.createElement('span');
      swatch.className = 'qreg-vchart-swatch ' + targetClass(data, t);
      swatch.setAttribute('aria-hidden', 'true');
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(t));
      list.appendChild(item);
    });
    box.appendChild(list);
    var shapes = document.createElement('span');
    shapes.className = 'qreg-vchart-legend-note';
    shapes.textContent = '● policy passed · ▲ policy failed · bigger is a bigger artifact';
    box.appendChild(shapes);
  }

  C.onReady(function () {
    var svg = document.getElementById('variant-chart');
    var source = document.getElementById('variant-chart-data');
    if (!svg || !source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.points || data.points.length === 0) {
      return;
    }
    var box = document.getElementById('variant-chart-legend');
    if (box) {
      legend(box, data);
    }
    C.drawAndRedrawOnResize(svg.parentNode, function (width) {
      draw(svg, data, Math.max(280, width));
    });
  });
}());
