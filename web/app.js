// pwgend's generator page: each form calls the JSON API it names in its
// action (/password, /passphrase, /pin) and lists the items, each with the
// reply's entropy and a copy button. Without JavaScript the forms simply
// open the JSON reply. Text is only ever set with textContent.
'use strict';

(function () {
  var NAMES = {
    password: ['password', 'passwords'],
    passphrase: ['passphrase', 'passphrases'],
    pin: ['PIN', 'PINs']
  };
  var status = document.getElementById('status');
  var error = document.getElementById('error');
  var results = document.getElementById('results');
  var summary = document.getElementById('summary');
  var list = document.getElementById('items');
  var request = document.getElementById('request');

  function noun(kind, n) {
    return NAMES[kind][n === 1 ? 0 : 1];
  }

  function capitalized(s) {
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function showError(text) {
    error.textContent = text;
    error.hidden = false;
    status.textContent = '';
  }

  // The query of a form: every field, empty ones too (the API then names
  // the parameter at fault), unchecked boxes left out (their default).
  function queryOf(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      params.append(name, value);
    });
    return params.toString();
  }

  // Select the node's text and copy it: the fallback where the async
  // clipboard is missing (plain http on another host) or refused.
  function copySelection(node) {
    var range = document.createRange();
    var sel = window.getSelection();
    var ok;

    range.selectNodeContents(node);
    sel.removeAllRanges();
    sel.addRange(range);
    ok = document.execCommand && document.execCommand('copy');
    sel.removeAllRanges();
    return ok ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }

  function copyText(text, node) {
    if (!navigator.clipboard || !window.isSecureContext)
      return copySelection(node);
    return navigator.clipboard.writeText(text).catch(function () {
      return copySelection(node);
    });
  }

  function itemRow(kind, value, index, bits) {
    var li = document.createElement('li');
    var code = document.createElement('code');
    var span = document.createElement('span');
    var button = document.createElement('button');

    li.className = 'item';
    code.className = 'value';
    code.textContent = value;
    span.className = 'bits';
    span.textContent = bits + ' bits';
    span.title = 'entropy: log2 of the number of possible ' + noun(kind, 2);
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy ' + noun(kind, 1) + ' ' + index);
    button.addEventListener('click', function () {
      copyText(value, code).then(function () {
        button.textContent = 'Copied';
        button.classList.add('done');
        status.textContent = capitalized(noun(kind, 1)) + ' ' + index +
          ' copied to the clipboard.';
        setTimeout(function () {
          button.textContent = 'Copy';
          button.classList.remove('done');
        }, 2000);
      }, function () {
        status.textContent = 'Copying failed: select the text and copy it by hand.';
      });
    });
    li.append(code, ' ', span, ' ', button);
    return li;
  }

  function show(kind, path, reply) {
    var n = reply.items.length;
    var size = reply.length !== undefined ? reply.length + ' characters'
      : reply.words !== undefined ? reply.words + ' words' : '';
    var rows = reply.items.map(function (item, i) {
      return itemRow(kind, item, i + 1, reply.entropy_bits);
    });

    list.replaceChildren.apply(list, rows);
    summary.textContent = n + ' ' + noun(kind, n) + (size ? ', ' + size : '') +
      ', ' + reply.entropy_bits + ' bits of entropy each.';
    request.textContent = 'GET ' + path;
    results.hidden = false;
    status.textContent = n + ' ' + noun(kind, n) + ' generated.';
  }

  function generate(form) {
    var kind = form.dataset.kind;
    var query = queryOf(form);
    var path = form.getAttribute('action') + (query ? '?' + query : '');
    var button = form.querySelector('button[type="submit"]');

    error.hidden = true;
    button.disabled = true;
    status.textContent = 'Generating…';
    fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (res) {
        return res.json().then(function (body) {
          if (!res.ok)
            throw new Error((body.title || res.status) +
              (body.detail ? ': ' + body.detail : ''));
          return body;
        }, function () {
          throw new Error('HTTP ' + res.status);
        });
      })
      .then(function (reply) { show(kind, path, reply); },
            function (err) { showError(err.message); })
      .finally(function () { button.disabled = false; });
  }

  document.querySelectorAll('form.panel').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      generate(form);
    });
  });
})();
