// What the portal's script-drawn charts share: SVG elements, "nice" axis ticks, and collide-and-hide label
// placement. The charts draw SVG rather than canvas so every mark is a DOM element: a link reachable by keyboard,
// with an SVG <title> that shows on hover, and text that tests can measure. Styling is by class only (charts.css):
// the Content-Security-Policy refuses inline styles.
(function () {
  'use strict';

  var NS = 'http://www.w3.org/2000/svg';

  /** An SVG element with these attributes (a 'class' among them), appended to parent when given. */
  function el(name, attributes, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attributes || {}).forEach(function (key) {
      node.setAttribute(key, attributes[key]);
    });
    if (parent) {
      parent.appendChild(node);
    }
    return node;
  }

  /** A text element with this content. */
  function text(content, attributes, parent) {
    var node = el('text', attributes, parent);
    node.textContent = content;
    return node;
  }

  /** About count round-numbered ticks (1, 2 or 5 times a power of ten) covering [low, high]. */
  function niceTicks(low, high, count) {
    if (!(high > low)) {
      high = low + 1;
    }
    var raw = (high - low) / Math.max(1, count);
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * power; }).filter(function (s) { return s >= raw; })[0];
    var ticks = [];
    for (var t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) {
      ticks.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
    }
    return ticks;
  }

  /** A linear map from the domain [d0, d1] to the range [r0, r1]. */
  function scale(d0, d1, r0, r1) {
    return function (value) {
      return d1 === d0 ? (r0 + r1) / 2 : r0 + (value - d0) / (d1 - d0) * (r1 - r0);
    };
  }

  function intersects(a, b) {
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  }

  function inside(box, area) {
    return box.x >= area.x && box.y >= area.y && box.x + box.width <= area.x + area.width
        && box.y + box.height <= area.y + area.height;
  }

  /**
   * Collide-and-hide: each label tries its candidate positions in turn and takes the first whose box stays inside
   * the area and overlaps neither an already placed label nor any mark (obstacles); a label with no free position
   * is hidden (the class hiddenClass), its text still in its mark's <title>. Labels are placed in the order given,
   * so the caller puts the ones that matter most first. Returns how many were hidden.
   *
   * labels: [{node: <text>, candidates: [{x, y, anchor}], own: box of its own mark (not an obstacle to it)}]
   */
  function placeLabels(labels, obstacles, area, hiddenClass) {
    var placed = [];
    var hidden = 0;
    labels.forEach(function (label) {
      var spot = null;
      for (var i = 0; i < label.candidates.length && !spot; i++) {
        var c = label.candidates[i];
        label.node.setAttribute('x', c.x);
        label.node.setAttribute('y', c.y);
        label.node.setAttribute('text-anchor', c.anchor);
        var box = label.node.getBBox();
        var clear = inside(box, area) && !placed.some(function (p) { return intersects(p, box); })
            && !obstacles.some(function (o) { return o !== label.own && intersects(o, box); });
        if (clear) {
          spot = box;
        }
      }
      if (spot) {
        placed.push(spot);
      } else {
        label.node.classList.add(hiddenClass);
        hidden++;
      }
    });
    return hidden;
  }

  /** Calls draw now and again whenever the element's width changes (the charts fill their box). */
  function drawAndRedrawOnResize(element, draw) {
    var width = element.clientWidth;
    draw(width);
    if (window.ResizeObserver) {
      new window.ResizeObserver(function () {
        if (element.clientWidth !== width && element.clientWidth > 0) {
          width = element.clientWidth;
          draw(width);
        }
      }).observe(element);
    }
  }

  function onReady(start) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', start);
    } else {
      start();
    }
  }

  window.QregSvgChart = {
    el: el,
    text: text,
    niceTicks: niceTicks,
    scale: scale,
    placeLabels: placeLabels,
    drawAndRedrawOnResize: drawAndRedrawOnResize,
    onReady: onReady
  };
}());
