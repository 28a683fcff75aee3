// The booking form, sent by script. API Gateway, in front of the platform, refuses a
// request itself when a route's throttle is reached (429) or the function is at its
// concurrency ceiling (a bare 5xx): its body is English JSON, not a page. Such an answer,
// or no answer at all, becomes the form's own Chinese sentence beside the button, and the
// form stays as it was, its idempotency key included, so sending it again books at most
// once. Whatever the platform itself answers is shown as if the form had been posted.
(function () {
  var form = document.getElementById('book');
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) return;
  var button = form.querySelector('button[type=submit]');
  var note = document.createElement('p');
  note.className = 'notice';
  note.id = 'book-busy';
  note.setAttribute('role', 'alert');
  note.hidden = true;
  form.appendChild(note);
  var sending = false;
  function say(text) {
    note.textContent = text;
    note.hidden = false;
    sending = false;
    if (button) button.disabled = false;
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (sending) return;
    sending = true;
    if (button) button.disabled = true;
    note.hidden = true;
    fetch(form.action, {
      method: 'POST', credentials: 'same-origin', body: new URLSearchParams(new FormData(form)).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'text/html' }
    }).then(function (res) {
      if (res.redirected) { // booked (or answered before): the result page
        location.assign(res.url);
        return;
      }
      var type = res.headers.get('Content-Type') || '';
      if (res.status === 429 || (res.status >= 500 && type.indexOf('text/html') < 0)) {
        say(form.getAttribute('data-busy'));
        return;
      }
      return res.text().then(function (html) { // the platform's refusal page
        document.open();
        document.write(html);
        document.close();
      });
    }).catch(function () { say(form.getAttribute('data-offline')); });
  });
})();
