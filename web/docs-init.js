// Starts Swagger UI on /docs (a file of its own: the page's CSP allows no
// inline script). The spec is this server's own /openapi.json; "Try it out"
// is sent to the origin the page came from, whatever the spec's default
// server says, so it works on any host and port. The validator badge
// (an outside service) is off.
'use strict';

(function () {
  // A local reference ("#/components/parameters/Quantity") or the object.
  function deref(spec, obj) {
    var ref = obj && obj.$ref;
    if (typeof ref !== 'string' || ref.indexOf('#/') !== 0)
      return obj;
    return ref.slice(2).split('/').reduce(function (node, key) {
      key = key.replace(/~1/g, '/').replace(/~0/g, '~');
      return node && node[key];
    }, spec) || obj;
  }

  // Swagger UI 5 shows path-level parameters of an OpenAPI 3.1 document
  // as unnamed "any" fields and sends none of them, so copy them into each
  // operation (where the spec's own operation-level ones take precedence,
  // as OpenAPI says): the same API, only written out.
  function inlinePathParameters(spec) {
    Object.keys(spec.paths || {}).forEach(function (path) {
      var item = spec.paths[path];
      var shared = item.parameters || [];
      if (!shared.length)
        return;
      ['get', 'head', 'put', 'post', 'delete', 'options', 'patch', 'trace']
        .forEach(function (method) {
          var op = item[method];
          if (!op)
            return;
          var own = op.parameters || [];
          var taken = own.map(function (p) {
            p = deref(spec, p);
            return p.in + ' ' + p.name;
          });
          op.parameters = shared.filter(function (p) {
            p = deref(spec, p);
            return taken.indexOf(p.in + ' ' + p.name) < 0;
          }).concat(own);
        });
      delete item.parameters;
    });
  }

  // "Try it out" fills every parameter with its example, and the examples
  // of this API are one per parameter, not one request: together they
  // conflict (charset with preset, length with min_entropy) and Execute
  // would give a 400. So optional parameters start empty (the server's
  // defaults apply) and their example is shown in their description.
  function examplesToText(spec) {
    var seen = [];
    function visit(p) {
      if (!p || p.$ref || p.required || p.example === undefined ||
          seen.indexOf(p) >= 0)
        return;
      seen.push(p);
      var text = String(p.example);
      var fence = text.indexOf('`') < 0 ? '`' : '`` ';
      p.description = (p.description ? p.description + '\n\n' : '') +
        'Example: ' + fence + text + fence.split('').reverse().join('');
      delete p.example;
    }
    var comps = (spec.components && spec.components.parameters) || {};
    Object.keys(comps).forEach(function (k) { visit(comps[k]); });
    Object.keys(spec.paths || {}).forEach(function (path) {
      var item = spec.paths[path];
      (item.parameters || []).forEach(visit);
      Object.keys(item).forEach(function (m) {
        ((item[m] && item[m].parameters) || []).forEach(visit);
      });
    });
  }

  function start(spec) {
    inlinePathParameters(spec);
    examplesToText(spec);
    spec.servers = [{ url: window.location.origin, description: 'This server' }]
      .concat(spec.servers || []);
    window.ui = SwaggerUIBundle({
      spec: spec,
      dom_id: '#swagger-ui',
      deepLinking: true,
      validatorUrl: null,
      displayRequestDuration: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: 'BaseLayout'
    });
  }

  function fail(err) {
    var p = document.createElement('p');
    p.className = 'pwgend-note';
    p.textContent = 'Could not load /openapi.json: ' + err.message;
    document.getElementById('swagger-ui').replaceChildren(p);
  }

  fetch('/openapi.json', { cache: 'no-store' })
    .then(function (res) {
      if (!res.ok)
        throw new Error('HTTP ' + res.status);
      return res.json();
    })
    .then(start, fail);
})();
