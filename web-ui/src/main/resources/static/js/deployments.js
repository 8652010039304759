// Deployment page enhancements. Everything here is optional: without JavaScript a rollout move
// answers a confirmation page, and the start form is filled by hand.
(function () {
  'use strict';

  // A move's form asks in the browser's own dialog (focus-trapped, read by screen readers) and,
  // once confirmed, posts with confirmed=true, so the server skips its confirmation page.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm || form.dataset.confirmed) {
      return;
    }
    event.preventDefault();
    if (!window.confirm(form.dataset.confirm)) {
      return;
    }
    var confirmed = document.createElement('input');
    confirmed.type = 'hidden';
    confirmed.name = 'confirmed';
    confirmed.value = 'true';
    form.appendChild(confirmed);
    form.dataset.confirmed = 'true';
    // Guard against a double post while the next page loads.
    form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = true; });
    form.submit();
  });

  // Choosing an approval picks the variant and tier it covers: an approval is for exactly one.
  var approval = document.getElementById('approvalId');
  var variant = document.getElementById('variantId');
  var tier = document.getElementById('tier');
  function follow() {
    var option = approval.options[approval.selectedIndex];
    if (!option) {
      return;
    }
    if (variant && option.dataset.variant) {
      variant.value = option.dataset.variant;
    }
    if (tier && option.dataset.tier) {
      tier.value = option.dataset.tier;
    }
  }
  if (approval) {
    approval.addEventListener('change', follow);
    follow();
  }
})();
