// Live job progress: keeps the status, progress bar and message of every job on the page that
// is still QUEUED or RUNNING up to date from the server-sent events of /jobs/events (one stream
// for all of them). The page is complete without this script; it only saves reloading.
(function () {
  'use strict';

  var FINISHED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
  // The stream's address comes from the page (th:src/@{...}), so it follows the context path.
  var script = document.currentScript;
  // data-stream names one job's own stream (/jobs/{id}/events, on its page); otherwise one
  // stream of /jobs/events carries every live job on the page.
  var eventsUrl = (script && script.getAttribute('data-events')) || '/jobs/events';
  var streamUrl = script && script.getAttribute('data-stream');

  function start() {
    if (!window.EventSource) {
      return;
    }
    var live = document.querySelectorAll('.qreg-job-progress[data-job-id][data-live="true"]');
    var ids = [];
    live.forEach(function (el) {
      var id = el.getAttribute('data-job-id');
      if (ids.indexOf(id) < 0) {
        ids.push(id);
      }
    });
    if (ids.length === 0) {
      return;
    }
    var reloadOnFinish = document.querySelector('[data-reload-on-finish="true"]') !== null;
    var pending = ids.slice();
    var source = new EventSource(streamUrl || eventsUrl + '?' + ids.map(function (id) {
      return 'id=' + encodeURIComponent(id);
    }).join('&'));

    source.addEventListener('job', function (message) {
      var job = JSON.parse(message.data);
      document.querySelectorAll('.qreg-job-progress[data-job-id="' + job.id + '"]').forEach(function (el) {
        update(el, job);
      });
      if (job.finished) {
        pending = pending.filter(function (id) { return id !== job.id; });
        if (reloadOnFinish) {
          // The job page then shows what only a finished job has: its variant, its full history.
          source.close();
          window.location.reload();
          return;
        }
      }
      if (pending.length === 0) {
        // The server ends the stream too; closing stops the browser from reconnecting.
        source.close();
      }
    });
    source.addEventListener('error', function () {
      // The browser reconnects by itself; a stream the server ended after every job finished
      // is closed above, so nothing is needed here.
    });
  }

  function update(el, job) {
    el.setAttribute('data-live', FINISHED.indexOf(job.status) < 0 ? 'true' : 'false');
    var status = el.querySelector('[data-field="status"]');
    if (status) {
      status.textContent = job.status;
      status.className = 'badge qreg-status qreg-status-' + job.status.toLowerCase();
    }
    var bar = el.querySelector('[data-field="bar"]');
    if (bar) {
      bar.setAttribute('aria-valuenow', String(job.percent));
      var fill = bar.querySelector('.progress-bar');
      if (fill) {
        fill.style.width = job.percent + '%';
        fill.classList.toggle('bg-success', job.status === 'SUCCEEDED');
        fill.classList.toggle('bg-danger', job.status === 'FAILED');
      }
    }
    var percent = el.querySelector('[data-field="percent"]');
    if (percent) {
      percent.textContent = job.percent + ' %';
    }
    var text = el.querySelector('[data-field="message"]');
    if (text) {
      text.textContent = job.cancelRequested ? 'cancel requested' : (job.error && job.status === 'FAILED'
        ? job.error : (job.message || ''));
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
