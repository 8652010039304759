// htmx issues its own POSTs; Spring Security rejects them without the token header. A file rather
// than an inline script, because the portal's Content-Security-Policy runs scripts from this origin only.
document.addEventListener('htmx:configRequest', function (event) {
  var token = document.querySelector('meta[name="_csrf"]');
  var header = document.querySelector('meta[name="_csrf_header"]');
  if (token && header) {
    event.detail.headers[header.content] = token.content;
  }
});
